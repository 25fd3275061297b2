"""The first-run page: what this computer runs, a recommended model per assistant with its size
and download time (one click downloads it, with progress here), and the offline starter for
what it is. Shown once (the `welcomed` setting), skippable, and again from Models → Getting
started. The planning behind it runs in the model service, off the GUI thread; catalog text is
shown as plain text."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.first_run import REFERENCE_MBIT, Recommendation, Survey
from desktop_app.services.models import ModelService
from desktop_app.settings import Settings
from desktop_app.ui.model_text import (
    assistant_name,
    capacity_text,
    download_time,
    number,
    size_text,
    verdict_text,
)
from desktop_app.ui.screen_fit import fit_to_screen
from desktop_app.ui.theme import set_tone


def _plain(text: str = "", bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel(text, textFormat=Qt.TextFormat.PlainText, wordWrap=wrap)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
    return label


class ModelOffer:
    """One recommendation's widgets: what, how big, how long; Download; its progress."""

    def __init__(self, pick: Recommendation):
        translate = QCoreApplication.translate
        self.pick = pick
        self.assistant = _plain(assistant_name(pick.assistant_name), bold=True)
        size = size_text(pick.size_bytes, not pick.size_verified)
        verdict = verdict_text(pick.verdict)
        self.model = _plain(f"{pick.model_name} · {pick.quant} · {size} · {verdict}")
        self.time = _plain("" if pick.installed else download_time(pick.size_bytes), wrap=False)
        set_tone(self.time, "muted")
        self.button = QPushButton(
            translate("ModelOffer", "Installed")
            if pick.installed
            else translate("ModelOffer", "Download")
        )
        self.button.setEnabled(not pick.installed)
        self.button.setAccessibleName(
            translate("ModelOffer", "Download {model} for {assistant}").format(
                model=pick.model_name, assistant=assistant_name(pick.assistant_name)
            )
        )
        self.progress = QProgressBar(visible=False, maximum=1000)
        self.progress.setAccessibleName(
            translate("ModelOffer", "Download of {model}").format(model=pick.model_name)
        )


class FirstRunPage(QDialog):
    def __init__(self, models: ModelService, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.models, self.settings = models, settings
        self.survey: Survey | None = None
        self.offers: list[ModelOffer] = []
        self.first_time = False
        self.setWindowTitle(self.tr("Welcome to Smallwise"))
        self.resize(760, 420)
        self.capacity = _plain(self.tr("Looking at this computer…"))
        self.offer_grid = QGridLayout()
        self.note = _plain(
            self.tr(
                "Download times are for a {speed} Mbit/s connection; yours may be faster or "
                "slower. A download goes on if you close this page (Models → Models… shows it)."
            ).format(speed=number(REFERENCE_MBIT))
        )
        set_tone(self.note, "muted")
        self.starter_button = QPushButton(self.tr("Try offline now"), visible=False)
        self.starter_note = _plain(self.starter_text(), bold=False)
        self.starter_note.setVisible(False)
        self.skip_button = QPushButton(self.tr("Skip"))
        self.skip_button.clicked.connect(self.reject)
        self.starter_button.clicked.connect(self.accept)
        self._layout()
        models.survey_ready.connect(self.show_survey)
        models.download_progressed.connect(self._on_progress)
        models.download_finished.connect(self._on_finished)

    def starter_text(self) -> str:
        return self.tr(
            "Gemma 3 270M, already on this computer: a tiny base model. It proves everything "
            "works offline; its answers are weak."
        )

    def _layout(self) -> None:
        title = _plain(self.tr("Private assistants on this computer"), bold=True)
        title.setStyleSheet("font-size: 16pt;")
        intro = _plain(
            self.tr(
                "Smallwise runs AI models on this computer: what you type never leaves it. A "
                "better model than the starter is one download away; here is what suits this "
                "machine."
            )
        )
        starter = QHBoxLayout()
        starter.addWidget(self.starter_button)
        starter.addWidget(self.starter_note, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.skip_button)
        column = QVBoxLayout(self)
        for widget in (title, intro, self.capacity):
            column.addWidget(widget)
        column.addLayout(self.offer_grid)
        column.addWidget(self.note)
        column.addStretch(1)
        column.addLayout(starter)
        column.addLayout(bottom)

    def present(self, first_time: bool = False) -> None:
        """Plan for this computer (in the background) and show the page; on the first run, only
        to a user without a model of their own (one who has one needs no introduction)."""
        self.first_time = first_time
        self.models.survey(load_assistants())
        if not first_time:
            self._show()

    def _show(self) -> None:
        self.show()
        self.raise_()
        # The keyboard comes here first (Tab reaches its buttons, Esc skips it): the main
        # window gives its message box the focus at start, which left this page unreachable.
        self.activateWindow()
        self.skip_button.setFocus()
        fit_to_screen(self)

    def show_survey(self, found: Survey) -> None:
        self.survey = found
        if self.first_time:
            self.first_time = False
            if found.own_model:
                self._remember()
                return
            self._show()
        self.capacity.setText(capacity_text(found))
        self._show_offers(found.recommendations)
        self.starter_button.setVisible(found.starter)
        self.starter_note.setVisible(found.starter)

    def _show_offers(self, picks: tuple[Recommendation, ...]) -> None:
        for offer in self.offers:
            for widget in (offer.assistant, offer.model, offer.time, offer.button, offer.progress):
                widget.deleteLater()
        self.offers = [ModelOffer(pick) for pick in picks]
        for row, offer in enumerate(self.offers):
            self.offer_grid.addWidget(offer.assistant, 2 * row, 0)
            self.offer_grid.addWidget(offer.model, 2 * row, 1)
            self.offer_grid.addWidget(offer.time, 2 * row, 2)
            self.offer_grid.addWidget(offer.button, 2 * row, 3)
            self.offer_grid.addWidget(offer.progress, 2 * row + 1, 1, 1, 3)
            offer.button.clicked.connect(lambda _on=False, o=offer: self.download(o))
            if offer.pick.model_id in self.models.downloading:
                self._downloading(offer, self.models.downloading[offer.pick.model_id])
        self.offer_grid.setColumnStretch(1, 1)

    def download(self, offer: ModelOffer) -> None:
        """One click: the recommended quantization, through the model service's downloads."""
        self.models.download(offer.pick.model_id, offer.pick.quant)
        for same in self._offers_of(offer.pick.model_id):
            self._downloading(same, 0.0)

    def _offers_of(self, model_id: str) -> list[ModelOffer]:
        return [o for o in self.offers if o.pick.model_id == model_id]

    def _downloading(self, offer: ModelOffer, share: float) -> None:
        offer.button.setEnabled(False)
        offer.button.setText(self.tr("Downloading…"))
        offer.progress.show()
        offer.progress.setValue(int(1000 * share))

    def _on_progress(self, model_id: str, done: int, total: int, rate: float) -> None:
        for offer in self._offers_of(model_id):
            self._downloading(offer, done / total if total else 0.0)
            text = self.tr("{done} of {total}").format(done=size_text(done), total=size_text(total))
            if rate > 0:
                minutes = number((total - done) / rate / 60)
                text += " · " + self.tr("{minutes} min left").format(minutes=minutes)
            offer.time.setText(text)

    def _on_finished(self, model_id: str, error: str) -> None:
        for offer in self._offers_of(model_id):
            offer.progress.hide()
            offer.button.setText(self.tr("Download") if error else self.tr("Installed"))
            offer.button.setEnabled(bool(error))
            offer.time.setText(error or self.tr("Installed: new answers use it."))
            set_tone(offer.time, "error" if error else "success")
        if not error:  # the new model answers from now on (the user's own choice still wins)
            self.models.prepare_default(load_assistants().get(self.settings["assistant"]))

    def done(self, result: int) -> None:
        self._remember()
        super().done(result)

    def _remember(self) -> None:
        if not self.settings["welcomed"]:
            self.settings["welcomed"] = True
            self.settings.save()

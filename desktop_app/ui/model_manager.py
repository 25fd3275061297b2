"""The model manager: the catalog by role and the installed models, one quantization per row
(the one Download fetches: the planner's choice for this machine unless the user picks another,
the installed one for an installed model), with its size, the plan here and a memory bar that
follow the choice at once; badges for the model in use and downloads; Use, Delete, Import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCursor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.planner import Plan
from desktop_app.core.starter import STARTER_ID
from desktop_app.services.models import ModelService
from desktop_app.settings import QT_TRANSLATE_NOOP
from desktop_app.ui import model_text
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.safe_text import plain_tooltip
from desktop_app.ui.screen_fit import fit_to_screen
from desktop_app.ui.theme import set_tone

GROUPS = [
    ("installed", QT_TRANSLATE_NOOP("ModelManager", "Installed")),
    ("chat", QT_TRANSLATE_NOOP("ModelManager", "General chat")),
    ("tutor", QT_TRANSLATE_NOOP("ModelManager", "Tutor")),
    ("math", QT_TRANSLATE_NOOP("ModelManager", "Math")),
    ("support", QT_TRANSLATE_NOOP("ModelManager", "Support")),
    ("code", QT_TRANSLATE_NOOP("ModelManager", "Code")),
    ("embedding", QT_TRANSLATE_NOOP("ModelManager", "Embedding (Support searches by meaning)")),
]
COLUMNS = [
    QT_TRANSLATE_NOOP("ModelManager", "Model"),
    QT_TRANSLATE_NOOP("ModelManager", "Quantization"),
    QT_TRANSLATE_NOOP("ModelManager", "Size"),
    QT_TRANSLATE_NOOP("ModelManager", "Here"),
    QT_TRANSLATE_NOOP("ModelManager", "State"),
]
NAME, QUANT, SIZE, HERE, STATE = range(len(COLUMNS))
ID_ROLE = Qt.ItemDataRole.UserRole


class ModelManager(QDialog):
    def __init__(self, models: ModelService, parent: QWidget | None = None):
        super().__init__(parent)
        self.models = models
        self.rows: dict[str, dict[str, Any]] = {}
        self.chosen: dict[str, str] = {}  # model id → the quantization the user picked here
        self.active: str | None = None  # the model id whose download this dialog shows
        self._filling = False  # the combo box is being filled: not the user's choice
        self.setWindowTitle(self.tr("Models"))
        self.resize(860, 560)
        self.hardware = QLabel(wordWrap=True)
        self.tree = QTreeWidget(columnCount=len(COLUMNS))
        self.tree.setHeaderLabels([self.tr(title) for title in COLUMNS])
        self.tree.setAccessibleName(self.tr("Models"))
        for column, width in enumerate((270, 100, 100, 110)):
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.details = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        # Catalog text is outside text: its links go through the policy (web pages ask first).
        self.links = LinkPolicy()
        self.details.linkActivated.connect(lambda url: self.links.open(url, self))
        self.links.notice.connect(self._link_refused)
        self.details.setMinimumHeight(70)
        self.quant = QComboBox(accessibleName=self.tr("Quantization to download"))
        self.quant.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.quant.currentIndexChanged.connect(lambda _i: self._quant_chosen())
        self.download_button = QPushButton(self.tr("Download"))
        self.use_button = QPushButton(self.tr("Use for new answers"))
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.import_button = QPushButton(self.tr("Import GGUF…"))
        self.progress = QProgressBar(visible=False, accessibleName=self.tr("Download progress"))
        self.progress_label = QLabel(visible=False, textFormat=Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton(self.tr("Cancel download"), visible=False)
        self.message = QLabel(wordWrap=True, visible=False, textFormat=Qt.TextFormat.PlainText)
        self._layout()
        self._connect()
        self._show_selected()

    def _layout(self) -> None:
        actions = QHBoxLayout()
        for widget in (self.quant, self.download_button, self.use_button, self.delete_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        transfer = QHBoxLayout()
        transfer.addWidget(self.progress, 1)
        transfer.addWidget(self.progress_label)
        transfer.addWidget(self.cancel_button)
        column = QVBoxLayout(self)
        column.addWidget(self.hardware)
        column.addWidget(self.tree, 1)
        column.addWidget(self.details)
        column.addLayout(actions)
        column.addLayout(transfer)
        column.addWidget(self.message)

    def _connect(self) -> None:
        m = self.models
        m.listing_changed.connect(self.show_listing)
        m.host_changed.connect(lambda host: self.hardware.setText(model_text.describe_host(host)))
        m.download_progressed.connect(self._on_progress)
        m.download_finished.connect(self._on_finished)
        m.import_finished.connect(self._on_imported)
        m.model_ready.connect(lambda _model: self._refill_all())  # the "in use" badge moves
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.use_button.clicked.connect(self.use_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.ask_import)

    def _link_refused(self, note: str) -> None:
        QToolTip.showText(QCursor.pos(), plain_tooltip(note), self.details)

    # -- listing -----------------------------------------------------------------------------
    def show_listing(self, rows: list[dict[str, Any]]) -> None:
        selected = self.selected_id()
        self.rows = {row["id"]: row for row in rows}
        self.tree.clear()
        for key, title in GROUPS:
            members = [
                r for r in rows if (r["installed"] if key == "installed" else key in r["roles"])
            ]
            if not members:
                continue
            group = QTreeWidgetItem([f"{self.tr(title)} ({len(members)})"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            for row in members:
                item = QTreeWidgetItem()
                item.setData(NAME, ID_ROLE, row["id"])
                self._fill(item, row)
                group.addChild(item)
            group.setExpanded(True)
        if selected:
            self.select(selected)

    def quant_of(self, row: dict[str, Any]) -> str:
        """The one quantization a row stands for: the user's pick, else the installed one, else
        the planner's choice for this machine."""
        if row["id"] in self.chosen:
            return self.chosen[row["id"]]
        have = row["installed"]
        if have and have["present"] and have["quant"]:
            return have["quant"]
        planned: Plan | None = row.get("plan")
        return planned.quant if planned else row.get("recommended_quant", "")

    def plan_of(self, row: dict[str, Any], quant: str) -> Plan | None:
        plans = {q.upper(): p for q, p in (row.get("plans") or {}).items()}
        return plans.get(quant.upper(), row.get("plan") if not plans else None)

    def state_of(self, row: dict[str, Any]) -> str:
        """Badges: downloading (with how far), in use, installed (and which quantization)."""
        badges, have = [], row["installed"]
        if row["id"] in self.models.downloading:
            share = round(100 * self.models.downloading[row["id"]])
            badges.append(self.tr("downloading {percent}%").format(percent=share))
        if row["id"] == self.models.in_use:
            badges.append(self.tr("in use"))
        if have and have["present"]:
            other = (have["quant"] or "").upper() != self.quant_of(row).upper()
            badges.append(
                self.tr("installed {quant}").format(quant=have["quant"])
                if other and have["quant"]
                else self.tr("installed")
            )
        elif have:
            badges.append(self.tr("file missing"))
        return " · ".join(badges)

    def _fill(self, item: QTreeWidgetItem, row: dict[str, Any]) -> None:
        quant = self.quant_of(row)
        planned = self.plan_of(row, quant)
        licence = "  " + self.tr("(non-commercial licence)") if row.get("non_commercial") else ""
        name = row["name"] + licence
        texts = {
            NAME: name,
            QUANT: quant,
            SIZE: model_text.quant_size(row, quant) if quant else "",
            # a remote engine: its memory decides, not this computer's
            HERE: self.tr("runs on {server}").format(server=row["runs_on"])
            if row.get("runs_on")
            else (model_text.verdict_text(planned.verdict) if planned else ""),
            STATE: self.state_of(row),
        }
        for column, text in texts.items():
            item.setText(column, text)
        item.setToolTip(HERE, plain_tooltip(planned.why if planned else ""))
        item.setToolTip(NAME, plain_tooltip(row.get("description", "")))

    def _refill(self, model_id: str) -> None:
        row = self.rows.get(model_id)
        for item in self.items():
            if row is not None and item.data(NAME, ID_ROLE) == model_id:
                self._fill(item, row)

    def _refill_all(self) -> None:
        for item in self.items():
            if (row := self.rows.get(item.data(NAME, ID_ROLE))) is not None:
                self._fill(item, row)

    def items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            found += [group.child(j) for j in range(group.childCount())]
        return found

    def select(self, model_id: str) -> None:
        for item in self.items():
            if item.data(NAME, ID_ROLE) == model_id:
                self.tree.setCurrentItem(item)
                return

    def selected_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(NAME, ID_ROLE) if item is not None else None

    def _show_selected(self) -> None:
        row = self.rows.get(self.selected_id() or "")
        self._filling = True
        self.quant.clear()
        if row is not None:
            for q in row.get("quants", []):
                self.quant.addItem(f"{q} · {model_text.quant_size(row, q)}", q)
            self.quant.setCurrentIndex(max(0, self.quant.findData(self.quant_of(row))))
        self._filling = False
        self._show_details(row)

    def _quant_chosen(self) -> None:
        """The user picked another quantization: the row, the plan and the bar follow now."""
        row = self.rows.get(self.selected_id() or "")
        quant = self.quant.currentData()
        if self._filling or row is None or not quant:
            return
        self.chosen[row["id"]] = quant
        self._refill(row["id"])
        self._show_details(row)

    def _show_details(self, row: dict[str, Any] | None) -> None:
        busy = self.active is not None
        if row is None:
            self.details.setText(self.tr("Choose a model to see what it is good at."))
        else:
            quant = self.quant_of(row)
            self.details.setText(model_text.details(row, quant, self.plan_of(row, quant)))
        have = row["installed"] if row else None
        installed = bool(have and have["present"])
        same = installed and (have["quant"] or "").upper() == self.quant_of(row).upper()
        downloadable = bool(row and row.get("catalog", True) and row.get("quants"))
        downloadable = downloadable and row["id"] != STARTER_ID
        self.quant.setEnabled(downloadable and not busy)
        self.download_button.setEnabled(downloadable and not busy and not same)
        self.download_button.setToolTip(
            self.tr("This quantization is installed.") if downloadable and same else ""
        )
        self.use_button.setEnabled(installed)
        self.delete_button.setEnabled(installed and row["id"] != STARTER_ID)

    # -- actions -----------------------------------------------------------------------------
    def download_selected(self) -> None:
        model_id = self.selected_id()
        if model_id is None or self.active is not None:
            return
        self.models.download(model_id, self.quant.currentData() or None)
        self._follow(model_id)

    def _follow(self, model_id: str) -> None:
        """Show this download's progress here (started here or on the first-run page)."""
        self.active = model_id
        self.progress.setRange(0, 0)
        for widget in (self.progress, self.progress_label, self.cancel_button):
            widget.show()
        self.progress_label.setText(self.tr("Checking {model} on the hub…").format(model=model_id))
        self._refill(model_id)
        self._show_selected()

    def cancel_download(self) -> None:
        if self.active is not None:
            self.models.cancel_download(self.active)

    def _on_progress(self, model_id: str, done: int, total: int, rate: float) -> None:
        self._refill(model_id)  # its "downloading" badge
        if model_id != self.active:
            return
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / total) if total else 0)
        size, number = model_text.size_text, model_text.number
        text = self.tr("{done} of {total} · {rate} MB/s").format(
            done=size(done), total=size(total), rate=number(rate / 1e6, 1)
        )
        if rate > 0:
            left = number((total - done) / rate)
            text += " · " + self.tr("{seconds} s left").format(seconds=left)
        self.progress_label.setText(text)

    def _on_finished(self, model_id: str, error: str) -> None:
        self._refill(model_id)
        if model_id != self.active:
            return
        self.active = None
        for widget in (self.progress, self.cancel_button):
            widget.hide()
        self.progress_label.hide()
        done = self.tr("{model} is installed.").format(model=model_id)
        self.say(error or done, error=bool(error))
        self._show_selected()

    def use_selected(self) -> None:
        if (model_id := self.selected_id()) is not None:
            self.models.use(model_id)

    def delete_selected(self) -> None:
        model_id = self.selected_id()
        if model_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete model"),
            self.tr("Delete {model} and its file from this computer?").format(model=model_id),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.models.remove(model_id)

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a GGUF model"),
            str(Path.home()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if path:
            self.say(self.tr("Importing {file}…").format(file=Path(path).name))
            self.models.import_file(Path(path))

    def _on_imported(self, model_id: str, message: str) -> None:
        self.say(message, error=not model_id)
        if model_id:
            self.select(model_id)

    def say(self, text: str, error: bool = False) -> None:
        """The outcome of an action, in the dialog itself (a listing refresh keeps it)."""
        set_tone(self.message, "error" if error else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:
        self.models.refresh()  # models added from a terminal since it was last open
        if self.active is None and self.models.downloading:
            self._follow(next(iter(self.models.downloading)))
        super().showEvent(event)
        fit_to_screen(self)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the scheme changed: the bar's colours
            self._show_details(self.rows.get(self.selected_id() or ""))

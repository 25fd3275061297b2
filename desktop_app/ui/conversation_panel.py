"""The side panel of the conversation's own settings: instructions, assistant, model, and
sampling. Each field shows the default it would take ("Default (0.7)") until the user sets it;
a change is announced at once as {key: value}, None for "back to the default"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.chat_settings import SAMPLING
from desktop_app.ui.model_text import assistant_name

TYPING_MS = 600  # instructions are saved once the user pauses


class ConversationPanel(QWidget):
    changed = Signal(dict)  # {key: value, or None for the default}
    assistant_chosen = Signal(str)  # the composer's picker follows

    def __init__(self) -> None:
        super().__init__()
        self.assistant_box = QComboBox(toolTip=self.tr("Who answers in this conversation"))
        self.assistant_box.activated.connect(
            lambda: self.assistant_chosen.emit(self.assistant_box.currentData())
        )
        self.model_box = QComboBox(toolTip=self.tr("The model for this conversation's answers"))
        self.model_box.activated.connect(
            lambda: self.changed.emit({"model": self.model_box.currentData() or None})
        )
        self.prompt = QPlainTextEdit(tabChangesFocus=True)
        self.prompt.setMaximumBlockCount(2000)
        self.prompt.setAccessibleName(self.tr("Instructions for this conversation"))
        self._typing = QTimer(self, singleShot=True, interval=TYPING_MS)
        self._typing.timeout.connect(self._prompt_changed)
        self.prompt.textChanged.connect(self._typing.start)
        self.numbers = {key: _number_box(key) for key in SAMPLING}
        for key, box in self.numbers.items():
            box.editingFinished.connect(lambda key=key: self._number_changed(key))
        self.reset = QPushButton(self.tr("Use the defaults"))
        self.reset.clicked.connect(self._reset)
        form = QFormLayout()
        # A side panel is narrow: each label above its field, the field the panel's whole width
        # (beside their labels, "General chat" and "Default (0.95)" were cut at 1,000 px).
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for combo in (self.assistant_box, self.model_box):  # a long model name is elided,
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)  # it does not widen the panel
        form.addRow(self.tr("Assistant"), self.assistant_box)
        form.addRow(self.tr("Model"), self.model_box)
        form.addRow(QLabel(self.tr("Instructions (system prompt)")))
        form.addRow(self.prompt)
        for key, box in self.numbers.items():
            form.addRow(_sampling_label(key), box)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>" + self.tr("This conversation") + "</b>"))
        layout.addLayout(form)
        layout.addWidget(self.reset)
        layout.addStretch(1)
        self.saved: dict[str, Any] = {}

    def show_settings(
        self,
        saved: dict[str, Any],
        defaults: dict[str, Any],
        assistants: dict[str, Assistant],
        models: list[str],
    ) -> None:
        """Show a conversation's own settings over the defaults; announces nothing."""
        self.saved = dict(saved)
        self._fill_assistants(assistants, saved.get("assistant") or defaults["assistant"])
        self._fill_models(models, saved.get("model"), defaults["model"])
        self.prompt.blockSignals(True)
        self.prompt.setPlainText(saved.get("system_prompt") or "")
        self.prompt.setPlaceholderText(defaults["system_prompt"] or self.tr("No instructions."))
        self.prompt.viewport().update()  # Qt repaints it all only when a placeholder comes/goes
        self.prompt.blockSignals(False)
        for key, box in self.numbers.items():
            box.blockSignals(True)
            default = defaults.get(key)
            box.setSpecialValueText(
                self.tr("Default ({value})").format(value=f"{default:g}")
                if default is not None
                else self.tr("Default")
            )
            box.setValue(saved[key] if key in saved else box.minimum())
            box.blockSignals(False)

    def set_assistant(self, assistant_id: str) -> None:
        """The composer's picker changed: show it here too."""
        index = self.assistant_box.findData(assistant_id)
        if index >= 0:
            self.assistant_box.setCurrentIndex(index)

    def _fill_assistants(self, assistants: dict[str, Assistant], current: str) -> None:
        self.assistant_box.clear()
        for assistant in assistants.values():
            self.assistant_box.addItem(assistant_name(assistant.name), assistant.id)
        self.set_assistant(current)

    def _fill_models(self, models: list[str], current: str | None, default: str) -> None:
        self.model_box.clear()
        self.model_box.addItem(
            self.tr("Default ({model})").format(model=default or self.tr("none yet")), ""
        )
        for model_id in models:
            self.model_box.addItem(model_id, model_id)
        index = self.model_box.findData(current or "")
        if current and index < 0:  # removed since: still what the conversation asks for
            missing = self.tr("{model} (not installed)").format(model=current)
            self.model_box.addItem(missing, current)
            index = self.model_box.count() - 1
        self.model_box.setCurrentIndex(max(index, 0))

    def _prompt_changed(self) -> None:
        text = self.prompt.toPlainText()
        self.changed.emit({"system_prompt": text if text.strip() else None})

    def _number_changed(self, key: str) -> None:
        box = self.numbers[key]
        value = None if box.value() < SAMPLING[key].minimum else box.value()
        if self.saved.get(key) != value:
            self.saved[key] = value
            self.changed.emit({key: value})

    def _reset(self) -> None:
        self._typing.stop()
        self.changed.emit({key: None for key in ("model", "system_prompt", *SAMPLING)})


def _sampling_label(key: str) -> str:
    return QCoreApplication.translate("Sampling", SAMPLING[key].label)


def _number_box(key: str) -> QAbstractSpinBox:
    """A spin box whose lowest value, one step below the real range, means "the default"."""
    spec = SAMPLING[key]
    box: QSpinBox | QDoubleSpinBox = QSpinBox() if spec.type is int else QDoubleSpinBox()
    if isinstance(box, QDoubleSpinBox):
        box.setDecimals(2)
    box.setRange(
        spec.minimum - spec.step if spec.type is float else int(spec.minimum) - 1, spec.maximum
    )
    box.setSingleStep(spec.step)
    box.setKeyboardTracking(False)
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    return box

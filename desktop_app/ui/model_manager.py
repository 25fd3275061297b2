"""The model manager: the catalog by role, with description, licence, size and recommended
quant; download with progress and Cancel; installed models with Use, Delete and Import."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
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
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.safe_text import plain_tooltip

GROUPS = [
    ("installed", "Installed"),
    ("chat", "General chat"),
    ("tutor", "Tutor"),
    ("math", "Math"),
    ("support", "Support"),
    ("code", "Code"),
    ("embedding", "Embedding (Support searches by meaning)"),
]
ID_ROLE = Qt.ItemDataRole.UserRole


def _size(n: int, approximate: bool = False) -> str:
    if approximate:  # a rounded catalog figure: say so, and claim no more digits than it has
        return f"about {n / 1e9:.1f} GB" if n >= 1e8 else f"about {n / 1e6:.0f} MB"
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


class ModelManager(QDialog):
    def __init__(self, models: ModelService, parent: QWidget | None = None):
        super().__init__(parent)
        self.models = models
        self.rows: dict[str, dict[str, Any]] = {}
        self.active: str | None = None  # the model id being downloaded
        self.setWindowTitle("Models")
        self.resize(820, 560)
        self.hardware = QLabel(wordWrap=True)
        self.tree = QTreeWidget(columnCount=5)
        self.tree.setHeaderLabels(["Model", "Size", "Recommended", "Fits here", "State"])
        for column, width in enumerate((260, 80, 100, 150)):
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.details = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        # Catalog text is outside text: its links go through the policy (web pages ask first).
        self.links = LinkPolicy()
        self.details.linkActivated.connect(lambda url: self.links.open(url, self))
        self.links.notice.connect(self._link_refused)
        self.details.setMinimumHeight(70)
        self.quant = QComboBox()
        self.download_button = QPushButton("Download")
        self.use_button = QPushButton("Use for new answers")
        self.delete_button = QPushButton("Delete…")
        self.import_button = QPushButton("Import GGUF…")
        self.progress = QProgressBar(visible=False)
        self.progress_label = QLabel(visible=False, textFormat=Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel download", visible=False)
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
        m.host_changed.connect(lambda host: self.hardware.setText(describe_host(host)))
        m.download_progressed.connect(self._on_progress)
        m.download_finished.connect(self._on_finished)
        m.import_finished.connect(self._on_imported)
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
            group = QTreeWidgetItem([f"{title} ({len(members)})"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            for row in members:
                group.addChild(self._item(row))
            group.setExpanded(True)
        if selected:
            self.select(selected)

    def _item(self, row: dict[str, Any]) -> QTreeWidgetItem:
        have = row["installed"]
        state = (
            f"installed {have['quant'] or ''}".strip()
            if have and have["present"]
            else "file missing"
            if have
            else ""
        )
        size = (
            _size(have["size_on_disk"])
            if have and have["present"]
            else _size(row.get("size_bytes", 0), not row.get("size_verified", True))
        )
        name = row["name"] + ("  (non-commercial licence)" if row.get("non_commercial") else "")
        planned: Plan | None = row.get("plan")
        fits = f"{planned.verdict} · {planned.quant}" if planned else ""
        if row.get("runs_on"):
            fits = f"runs on {row['runs_on']}"  # a remote engine: its memory decides, not ours
        item = QTreeWidgetItem([name, size, row.get("recommended_quant", ""), fits, state])
        item.setToolTip(3, plain_tooltip(planned.why if planned else ""))
        item.setData(0, ID_ROLE, row["id"])
        item.setToolTip(0, plain_tooltip(row.get("description", "")))
        return item

    def items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            found += [group.child(j) for j in range(group.childCount())]
        return found

    def select(self, model_id: str) -> None:
        for item in self.items():
            if item.data(0, ID_ROLE) == model_id:
                self.tree.setCurrentItem(item)
                return

    def selected_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item is not None else None

    def _show_selected(self) -> None:
        row = self.rows.get(self.selected_id() or "")
        busy = self.active is not None
        self.quant.clear()
        if row is None:
            self.details.setText("Choose a model to see what it is good at.")
        else:
            self.quant.addItems(row.get("quants", []))
            planned = row.get("plan")
            chosen = (planned.quant if planned else "") or row.get("recommended_quant")
            if chosen:
                self.quant.setCurrentText(chosen)  # the planner's choice for this machine
            self.details.setText(_details(row))
        downloadable = bool(row and row.get("quants")) and row.get("id") != STARTER_ID
        installed = bool(row and row["installed"] and row["installed"]["present"])
        self.quant.setEnabled(downloadable and not busy)
        self.download_button.setEnabled(downloadable and not busy)
        self.use_button.setEnabled(installed)
        self.delete_button.setEnabled(installed and row["id"] != STARTER_ID)

    # -- actions -----------------------------------------------------------------------------
    def download_selected(self) -> None:
        model_id = self.selected_id()
        if model_id is None or self.active is not None:
            return
        self.active = model_id
        self.progress.setRange(0, 0)
        for widget in (self.progress, self.progress_label, self.cancel_button):
            widget.show()
        self.progress_label.setText(f"Checking {model_id} on the hub…")
        self.models.download(model_id, self.quant.currentText() or None)
        self._show_selected()

    def cancel_download(self) -> None:
        if self.active is not None:
            self.models.cancel_download(self.active)

    def _on_progress(self, model_id: str, done: int, total: int, rate: float) -> None:
        if model_id != self.active:
            return
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / total) if total else 0)
        left = f" · {(total - done) / rate:.0f} s left" if rate > 0 else ""
        self.progress_label.setText(
            f"{_size(done)} of {_size(total)} · {rate / 1e6:.1f} MB/s{left}"
        )

    def _on_finished(self, model_id: str, error: str) -> None:
        if model_id != self.active:
            return
        self.active = None
        for widget in (self.progress, self.cancel_button):
            widget.hide()
        self.progress_label.hide()
        self.say(error or f"{model_id} is installed.", error=bool(error))
        self._show_selected()

    def use_selected(self) -> None:
        if (model_id := self.selected_id()) is not None:
            self.models.use(model_id)

    def delete_selected(self) -> None:
        model_id = self.selected_id()
        if model_id is None:
            return
        answer = QMessageBox.question(
            self, "Delete model", f"Delete {model_id} and its file from this computer?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.models.remove(model_id)

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a GGUF model", str(Path.home()), "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.say(f"Importing {Path(path).name}…")
            self.models.import_file(Path(path))

    def _on_imported(self, model_id: str, message: str) -> None:
        self.say(message, error=not model_id)
        if model_id:
            self.select(model_id)

    def say(self, text: str, error: bool = False) -> None:
        """The outcome of an action, in the dialog itself (a listing refresh keeps it)."""
        self.message.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:
        self.models.refresh()  # models added from a terminal since it was last open
        super().showEvent(event)


def _details(row: dict[str, Any]) -> str:
    lines = [f"<b>{html.escape(row['name'])}</b> — {html.escape(row.get('description', ''))}"]
    if row.get("license"):
        warning = " <b>Not for commercial use.</b>" if row.get("non_commercial") else ""
        lines.append(f"Licence: {html.escape(row['license'])}.{warning}")
    planned = row.get("plan")
    if row.get("runs_on"):
        lines.append(f"<b>Runs on {html.escape(row['runs_on'])}</b> (Settings: models on "
                     "another machine).")
    elif planned:
        lines.append(
            f"<b>Here: {planned.verdict}</b> with {planned.quant}, context "
            f"{planned.n_ctx:,} — {html.escape(planned.why)}."
        )
        lines.append(memory_bar(planned))
    have = row["installed"]
    if have:
        lines.append(f"Installed: {html.escape(have['path'])}")
    return "<br/>".join(lines)


BAR_COLOURS = {
    "weights": "#4c78a8",
    "kv_cache": "#f58518",
    "compute": "#9d9da1",
    "overhead": "#c7c7cc",
    "free": "#d8f0d2",
}


def memory_bar(planned: Plan) -> str:
    """A bar of the memory budget: weights / KV cache / compute / overhead / free."""
    gpu = planned.n_gpu_layers > 0
    budget = planned.vram_budget if gpu else planned.ram_budget
    parts = planned.estimate.parts()
    total = max(budget, sum(parts.values()), 1)
    parts["free"] = max(0, budget - sum(parts.values()))
    cells = "".join(
        f'<td width="{max(1, round(100 * size / total))}%" bgcolor="{BAR_COLOURS[name]}">'
        "&nbsp;</td>"
        for name, size in parts.items()
        if size > 0
    )
    legend = " · ".join(
        f'<span style="color:{BAR_COLOURS[n]}">■</span> {n.replace("_", " ")} {size / 1e9:.2f} GB'
        for n, size in parts.items()
    )
    where = "GPU memory" if gpu else "memory for models"
    return (
        f'<table width="100%" cellspacing="0" cellpadding="3"><tr>{cells}</tr></table>'
        f"{legend} (of {budget / 1e9:.1f} GB {where})"
    )


def describe_host(host: Any) -> str:
    cores = f"{host.physical_cores or '?'} cores"
    isa = ", ".join(f for f in host.isa if f in ("avx2", "avx512f", "neon", "amx_tile")) or "basic"
    gpus = (
        "; ".join(
            f"{g.name} ({(g.free_bytes or 0) / 1e9:.1f} of "
            f"{(g.total_bytes or 0) / 1e9:.1f} GB free)"
            for g in host.gpus
        )
        or "no GPU found"
    )
    return (
        f"<b>This computer:</b> {html.escape(host.cpu_model or 'CPU')}, {cores} ({isa}); "
        f"{host.ram_available_bytes / 1e9:.1f} of {host.ram_total_bytes / 1e9:.1f} GB RAM free; "
        f"{html.escape(gpus)}"
    )

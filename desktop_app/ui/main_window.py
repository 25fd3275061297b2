"""The main window: conversation list, transcript, composer and status line, wired to the
chat service. It holds no business logic: it forwards user actions and shows results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from desktop_app import APP_NAME
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.services.chat import ChatService
from desktop_app.services.knowledge import KnowledgeService
from desktop_app.services.models import ModelService
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings
from desktop_app.ui.composer import Composer
from desktop_app.ui.conversation_list import ConversationList
from desktop_app.ui.documents import DocumentsDialog
from desktop_app.ui.message_view import ChatView
from desktop_app.ui.model_manager import ModelManager
from desktop_app.ui.settings_dialog import SettingsDialog


class MainWindow(QMainWindow):
    def __init__(
        self, chat: ChatService, stores: StoreThread, settings: Settings, models: ModelService
    ):
        super().__init__()
        self.chat, self.stores, self.settings, self.models = chat, stores, settings, models
        self.model_manager: ModelManager | None = None
        self.knowledge = KnowledgeService(stores.store.path)
        self.knowledge.refresh()  # documents changed since last time are re-indexed
        self.documents: DocumentsDialog | None = None
        self.current: int | None = None
        self.setWindowTitle(APP_NAME)
        self.resize(1000, 700)
        self.conversations = ConversationList()
        self.view = ChatView()
        self.composer = Composer()
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.view, 1)
        column.addWidget(self.composer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 760])
        self.setCentralWidget(self.splitter)
        self.model_label = QLabel("No model yet")
        self.speed_label = QLabel()
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        status = self.statusBar()
        status.addWidget(self.notice_label, 1)
        self.speed_label.setStyleSheet("color: #555; padding: 0 8px;")
        status.addPermanentWidget(self.speed_label)
        status.addPermanentWidget(self.model_label)
        self._build_menu()
        self._connect()
        self.composer.set_assistants(load_assistants(), settings["assistant"])
        self._restore_geometry()
        self.refresh_conversations()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        new = QAction("&New conversation", self, shortcut=QKeySequence.StandardKey.New)
        new.triggered.connect(self.new_conversation)
        settings = QAction("&Settings…", self, shortcut=QKeySequence.StandardKey.Preferences)
        settings.triggered.connect(self.edit_settings)
        quit_ = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        for action in (new, settings, quit_):
            menu.addAction(action)
        manage = QAction("&Models…", self, shortcut=QKeySequence("Ctrl+M"))
        manage.triggered.connect(self.show_model_manager)
        self.menuBar().addMenu("&Models").addAction(manage)
        documents = QAction("&Documents…", self)
        documents.triggered.connect(self.show_documents)
        self.menuBar().addMenu("&Support").addAction(documents)

    def _connect(self) -> None:
        c, chat = self.conversations, self.chat
        c.conversation_selected.connect(self.open_conversation)
        c.new_requested.connect(self.new_conversation)
        c.rename_requested.connect(self.rename_conversation)
        c.delete_requested.connect(self.delete_conversation)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(chat.stop)
        self.composer.regenerate_requested.connect(self.regenerate)
        chat.busy_changed.connect(self.composer.set_busy)
        self.composer.assistant_changed.connect(self.choose_assistant)
        chat.user_message_added.connect(self._on_user_message)
        chat.message_created.connect(self._on_answer_created)
        chat.message_removed.connect(self.view.remove_message)
        chat.text_received.connect(self.view.append_text)
        chat.generation_started.connect(lambda _mid, left_out: self.view.mark_left_out(left_out))
        chat.generation_finished.connect(self._on_answer_finished)
        chat.conversation_renamed.connect(self.conversations.set_title)
        chat.model_changed.connect(self._on_model_changed)
        chat.notice.connect(self.show_notice)
        self.stores.failed.connect(self.show_notice)

    # -- conversations ------------------------------------------------------------------------
    def refresh_conversations(self, select: int | None = None) -> None:
        self.stores.call("conversations", on_done=lambda rows: self._show_list(rows, select))

    def _show_list(self, rows: list[dict[str, Any]], select: int | None) -> None:
        ids = [r["id"] for r in rows]
        target = select if select in ids else self.current if self.current in ids else None
        if target is None and ids:
            target = ids[0]
        if target is None:
            self.current = None
            self.view.clear()
        self.conversations.set_conversations(rows, select=target)

    def open_conversation(self, conversation_id: int) -> None:
        if conversation_id == self.current and self.view.widgets:
            return
        self.current = conversation_id
        self.stores.call(
            "messages",
            conversation_id,
            on_done=lambda rows: self._show_messages(conversation_id, rows),
        )
        self.stores.call(
            "conversation_settings",
            conversation_id,
            on_done=lambda kept: self._restore_settings(conversation_id, kept),
        )

    def _restore_settings(self, conversation_id: int, kept: dict[str, Any]) -> None:
        """What the conversation keeps of its own: the learner's level, for now."""
        if conversation_id == self.current and isinstance(kept.get("level"), str):
            self.composer.set_level(kept["level"])

    def _show_messages(self, conversation_id: int, rows: list[dict[str, Any]]) -> None:
        if conversation_id == self.current:
            self.view.show_messages(rows)

    def new_conversation(self) -> None:
        self.stores.call(
            "create_conversation", on_done=lambda cid: self.refresh_conversations(select=cid)
        )

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        self.stores.call(
            "rename_conversation",
            conversation_id,
            title,
            on_done=lambda _: self.refresh_conversations(),
        )

    def delete_conversation(self, conversation_id: int) -> None:
        if self.chat.busy and conversation_id == self.current:
            self.chat.stop()
        if conversation_id == self.current:
            self.current = None
            self.view.clear()
        self.stores.call(
            "delete_conversation", conversation_id, on_done=lambda _: self.refresh_conversations()
        )

    # -- chatting -----------------------------------------------------------------------------
    def send(self, text: str) -> None:
        if self.chat.busy:
            self.show_notice("Wait for the current answer, or press Stop.")
            return
        if self.current is None:
            self.stores.call("create_conversation", on_done=lambda cid: self._send_new(cid, text))
        else:
            self.chat.send(self.current, text)

    def _send_new(self, conversation_id: int, text: str) -> None:
        self.current = conversation_id
        self.view.clear()
        self.refresh_conversations(select=conversation_id)
        self.chat.send(conversation_id, text)

    def regenerate(self) -> None:
        if self.current is not None:
            self.chat.regenerate(self.current)

    def _on_user_message(self, conversation_id: int, row: dict[str, Any]) -> None:
        if conversation_id == self.current:
            self.view.add_message(row)
        self.conversations.move_to_top(conversation_id)

    def _on_answer_created(self, conversation_id: int, message_id: int) -> None:
        if conversation_id == self.current:
            self.view.add_message(
                {"id": message_id, "role": "assistant", "content": "", "status": "streaming"}
            )

    def _on_answer_finished(self, message_id: int, row: dict[str, Any]) -> None:
        self.view.set_row(message_id, row)
        if row.get("tokens_per_s"):
            self.speed_label.setText(
                f"{row['tokens_per_s']:.1f} tokens/s · first token {row['ttft_s'] * 1000:.0f} ms"
            )

    def _on_model_changed(self, info: dict[str, Any]) -> None:
        self.model_label.setText(
            f"{info['id']} · {info['quant']} · context {info['n_ctx']} · "
            f"{info['n_threads']} thread{'s' if info['n_threads'] != 1 else ''} · "
            + _device_text(info)
        )

    def show_model_manager(self) -> ModelManager:
        if self.model_manager is None:
            self.model_manager = ModelManager(self.models, self)
        self.model_manager.show()
        self.model_manager.raise_()
        return self.model_manager

    def show_documents(self) -> DocumentsDialog:
        if self.documents is None:
            self.documents = DocumentsDialog(self.knowledge, self)
        self.documents.show()
        return self.documents

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.apply_settings(dialog.values())

    def apply_settings(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.settings[name] = value
        self.settings.save()  # a few hundred bytes, once per OK click
        self.chat.settings_changed()
        self.show_notice("Settings saved; they apply from the next answer.")

    def choose_assistant(self, assistant_id: str, level: str) -> None:
        assistant = load_assistants().get(assistant_id)
        self.chat.set_assistant(assistant, level or None)
        if level and self.current is not None:  # the level belongs to this conversation
            self.stores.call("update_conversation_settings", self.current, level=level)
        self.settings["assistant"] = assistant_id  # saved with the window state
        if assistant is not None:
            self.models.prefer_for(assistant, self.chat.model.id if self.chat.model else None)

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)

    # -- window state -------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        for key, restore in (
            ("window_geometry", self.restoreGeometry),
            ("splitter_state", self.splitter.restoreState),
        ):
            if self.settings[key]:
                restore(QByteArray.fromBase64(self.settings[key].encode()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings["window_geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        self.settings["splitter_state"] = bytes(self.splitter.saveState().toBase64()).decode()
        self.settings.save()
        super().closeEvent(event)


def _device_text(info: dict[str, Any]) -> str:
    """Where the layers run: CPU, or the GPU and how many, e.g. "CUDA0: 26 layers on GPU"."""
    if not info.get("n_gpu_layers"):
        return "CPU"
    name = info["device"].split(" (")[0]
    return f"{name}: {info['n_gpu_layers']} layers on GPU"

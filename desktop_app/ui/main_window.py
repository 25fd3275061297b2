"""The main window: conversation list, transcript, composer and status line, wired to the
chat service. It holds no business logic: it forwards user actions and shows results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core import chat_settings
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.services.archive import ArchiveService
from desktop_app.services.chat import ChatService
from desktop_app.services.knowledge import KnowledgeService
from desktop_app.services.models import ModelService
from desktop_app.services.rendering import RenderAhead
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings
from desktop_app.ui.composer import Composer
from desktop_app.ui.conversation_list import ConversationList
from desktop_app.ui.conversation_panel import ConversationPanel
from desktop_app.ui.documents import DocumentsDialog
from desktop_app.ui.export_dialog import ask_export, ask_import
from desktop_app.ui.first_run import FirstRunPage
from desktop_app.ui.keyboard import StandardKey, announce, next_stop, shortcuts, tab_stops_in
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.message_view import ChatView
from desktop_app.ui.model_manager import ModelManager
from desktop_app.ui.model_text import number
from desktop_app.ui.notice_label import NoticeLabel
from desktop_app.ui.safe_text import plain_tooltip
from desktop_app.ui.screen_fit import fit_to_screen
from desktop_app.ui.search_panel import SearchPanel
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.theme import ThemeController, set_tone


class MainWindow(QMainWindow):
    def __init__(
        self, chat: ChatService, stores: StoreThread, settings: Settings, models: ModelService
    ):
        super().__init__()
        self.chat, self.stores, self.settings, self.models = chat, stores, settings, models
        self.theme = ThemeController(QApplication.instance(), settings["theme"], parent=self)
        self.model_manager: ModelManager | None = None
        self.first_run: FirstRunPage | None = None
        self.knowledge = KnowledgeService(stores.store.path)
        self.knowledge.refresh()  # documents changed since last time are re-indexed
        self.documents: DocumentsDialog | None = None
        self.current: int | None = None
        self.setWindowTitle(APP_NAME)
        self.conversations = ConversationList()
        self.search = SearchPanel()
        self.archive = ArchiveService(stores, self)
        self.links = LinkPolicy(self.knowledge.is_indexed)  # what a link in an answer may open
        self.view = ChatView(self.links, RenderAhead(self))
        self.view.set_dark(self.theme.scheme().dark)
        self.theme.scheme_changed.connect(self._scheme_changed)
        self.composer = Composer()
        self.composer.input.paged.connect(self.view.page)
        self.panel = ConversationPanel()
        self._restoring = False  # the picker being set to what the conversation already has
        self.panel_dock = QDockWidget("Conversation settings", self, objectName="panel")
        self._build_layout()
        self.model_label = QLabel(self.tr("No model yet"), textFormat=Qt.TextFormat.PlainText)
        self.speed_label = QLabel(
            styleSheet="padding: 0 8px;", toolTip=self.tr("The last answer's speed")
        )
        self.notice_label = NoticeLabel()  # two lines high from the start: no jumps
        self.notice_label.setAccessibleName(self.tr("Status"))
        self.model_label.setAccessibleName(self.tr("Model"))
        self.speed_label.setAccessibleName(self.tr("Speed of the last answer"))
        status = self.statusBar()
        status.addWidget(self.notice_label, 1)
        set_tone(self.speed_label, "muted")
        status.addPermanentWidget(self.speed_label)
        status.addPermanentWidget(self.model_label)
        self._build_menu()
        self._connect()
        self.composer.set_assistants(load_assistants(), settings["assistant"])
        self._restore_geometry()
        self.refresh_conversations()
        self.composer.focus_input()  # what is typed first is a message, whatever comes before

    def _build_layout(self) -> None:
        """Search and conversations | transcript and composer; the settings panel docked."""
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.view, 1)
        column.addWidget(self.composer)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.search)
        left_column.addWidget(self.conversations, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 760])
        self.setCentralWidget(self.splitter)
        self.panel_dock.setWidget(self.panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel_dock)
        self.panel_dock.hide()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&File"))
        new = QAction(self.tr("&New conversation"), self, shortcut=QKeySequence.StandardKey.New)
        new.triggered.connect(self.new_conversation)
        self.export_action = QAction(self.tr("&Export…"), self, shortcut=QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_conversations)
        import_ = QAction(self.tr("&Import…"), self)
        import_.triggered.connect(self.import_conversations)
        settings = QAction(
            self.tr("&Settings…"), self, shortcut=QKeySequence.StandardKey.Preferences
        )
        settings.triggered.connect(self.edit_settings)
        quit_ = QAction(self.tr("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        import_.setShortcuts(shortcuts(StandardKey.Open))
        settings.setShortcuts(shortcuts(StandardKey.Preferences, "Ctrl+,"))
        quit_.setShortcuts(shortcuts(StandardKey.Quit, "Ctrl+Q"))
        for action in (new, self.export_action, import_, settings, quit_):
            menu.addAction(action)
        find = QAction(self.tr("&Search"), self, shortcut=QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.search.box.setFocus())
        view = self.menuBar().addMenu(self.tr("&View"))
        view.addAction(find)
        self.panel_action = self.panel_dock.toggleViewAction()
        self.panel_action.setText(self.tr("Conversation &settings"))
        self.panel_action.setShortcut(QKeySequence("Ctrl+K"))
        view.addAction(self.panel_action)
        manage = QAction(self.tr("&Models…"), self, shortcut=QKeySequence("Ctrl+M"))
        manage.triggered.connect(self.show_model_manager)
        welcome = QAction(self.tr("&Getting started…"), self)
        welcome.triggered.connect(lambda: self.show_first_run())
        models = self.menuBar().addMenu(self.tr("&Models"))
        models.addActions([manage, welcome])
        view.addMenu(self.theme.menu(self, self.choose_theme))
        documents = QAction(self.tr("&Documents…"), self)
        documents.triggered.connect(self.show_documents)
        self.menuBar().addMenu(self.tr("&Support")).addAction(documents)
        welcome.setShortcuts(shortcuts(StandardKey.HelpContents, "F1"))
        documents.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self._build_chat_menu()

    def _build_chat_menu(self) -> None:
        """The composer's buttons, and copying the last answer, as keys."""
        c = self.composer
        chat = self.menuBar().addMenu(self.tr("&Chat"))
        chat.addActions([c.stop_action, c.regenerate_action, c.quiz_action, c.solution_action])
        copy = QAction(
            self.tr("&Copy the last answer"), self, shortcut=QKeySequence("Ctrl+Shift+C")
        )
        copy.triggered.connect(self.copy_last_answer)
        focus = QAction(self.tr("&Write a message"), self, shortcut=QKeySequence("Ctrl+L"))
        focus.triggered.connect(self.composer.focus_input)
        chat.addActions([copy, focus])

    def _connect(self) -> None:
        c, chat = self.conversations, self.chat
        c.conversation_selected.connect(self.open_conversation)
        c.conversation_chosen.connect(lambda _cid: self.composer.focus_input())
        c.new_requested.connect(self.new_conversation)
        c.rename_requested.connect(self.rename_conversation)
        c.delete_requested.connect(self.delete_conversation)
        self.composer.send_requested.connect(self.send)
        self.composer.files_dropped.connect(self.ask_about_files)
        self.knowledge.attached.connect(self._files_attached)
        self.composer.stop_requested.connect(chat.stop)
        self.composer.regenerate_requested.connect(self.regenerate)
        chat.busy_changed.connect(self.composer.set_busy)
        self.composer.assistant_changed.connect(self.choose_assistant)
        chat.user_message_added.connect(self._on_user_message)
        chat.message_created.connect(self._on_answer_created)
        chat.message_removed.connect(self.view.remove_message)
        chat.text_received.connect(self.view.append_text)
        chat.generation_started.connect(lambda _mid, ids: self.view.mark_left_out(ids))
        chat.generation_started.connect(
            lambda *_: announce(self.notice_label, self.tr("Thinking…"))
        )
        chat.generation_finished.connect(self._on_answer_finished)
        chat.conversation_renamed.connect(self.conversations.set_title)
        chat.model_changed.connect(self._on_model_changed)
        chat.notice.connect(self.show_notice)
        chat.message_continued.connect(self._on_answer_continued)
        self.stores.failed.connect(self.show_notice)
        self.links.notice.connect(self.show_notice)
        self.view.edit_requested.connect(self.edit_message)
        self.view.version_requested.connect(self.show_version)
        self.view.continue_requested.connect(self.continue_answer)
        self.search.query_changed.connect(self.run_search)
        self.search.searching_changed.connect(lambda on: self.conversations.setVisible(not on))
        self.search.hit_chosen.connect(self.open_at)
        self.panel.changed.connect(self.change_conversation_settings)
        self.panel.assistant_chosen.connect(self.composer.select_assistant)
        self.panel_dock.visibilityChanged.connect(lambda shown: shown and self._show_panel())
        self.archive.exported.connect(self.show_notice)
        self.archive.failed.connect(self.show_notice)
        self.archive.imported.connect(self._on_imported)
        self.view.notice.connect(self.show_notice)
        self.view.topic_changed.connect(self.composer.set_topic)

    # -- conversations ------------------------------------------------------------------------
    def refresh_conversations(self, select: int | None = None) -> None:
        self.stores.call(
            lambda store: store.conversations(), on_done=lambda rows: self._show_list(rows, select)
        )

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
        if conversation_id == self.current and self.view.rows:
            return
        self.current = conversation_id
        said = getattr(self, "_notice_of", None)  # "ask your question" of another conversation
        if said and said[0] != conversation_id and self.notice_label.text() == said[1]:
            self.show_notice("")
        self.stores.call(
            lambda store: store.messages(conversation_id),
            on_done=lambda rows: self._show_messages(conversation_id, rows),
        )

        def kept(store: Any) -> tuple[dict[str, Any], str | None]:
            saved = store.conversation_settings(conversation_id)
            own = chat_settings.own(saved).get("assistant")  # outside data: checked
            return saved, own or store.last_answered_by(conversation_id)

        self.stores.call(
            kept, on_done=lambda found: self._restore_assistant(conversation_id, *found)
        )

    def _restore_assistant(
        self, conversation_id: int, saved: dict[str, Any], assistant: str | None
    ) -> None:
        """The composer's picker shows the conversation's assistant (its own, else the one that
        answered last; an empty conversation keeps the one just picked), and the learner's
        level it keeps."""
        if conversation_id == self.current and assistant:
            self._restoring = True  # shown, not written back: opening changes nothing stored
            try:
                self.composer.select_assistant(assistant)
            finally:
                self._restoring = False
        if conversation_id == self.current and isinstance(saved.get("level"), str):
            self.composer.set_level(saved["level"])  # the tutor's level for this learner
        if self.panel_dock.isVisible():
            self._show_panel()

    def _show_messages(self, conversation_id: int, rows: list[dict[str, Any]]) -> None:
        if conversation_id == self.current:
            self.view.show_messages(rows)

    def new_conversation(self) -> None:
        """A new conversation, and the message box to write in it; the current one when it is
        still empty (a second Ctrl+N, or a click too many, makes no empty conversations)."""
        empty = self.current if not self.chat.busy else None

        def new(store: Any) -> int:
            if empty is not None and not store.all_messages(empty, decode=False):
                return empty
            return store.create_conversation()

        self.stores.call(new, on_done=self._new_conversation_ready)

    def _new_conversation_ready(self, conversation_id: int) -> None:
        self.refresh_conversations(select=conversation_id)
        self.composer.focus_input()

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        self.stores.call(
            lambda store: store.rename_conversation(conversation_id, title),
            on_done=lambda _: self.refresh_conversations(),
        )

    def delete_conversation(self, conversation_id: int) -> None:
        if self.chat.busy and conversation_id == self.current:
            self.chat.stop()
        if conversation_id == self.current:
            self.current = None
            self.view.clear()
        self.stores.call(
            lambda store: store.delete_conversation(conversation_id),
            on_done=lambda _: self.refresh_conversations(),
        )

    # -- chatting -----------------------------------------------------------------------------
    def send(self, text: str) -> None:
        if self.first_run is not None and self.first_run.isVisible():
            self.first_run.reject()  # the user went on to chat: the page no longer hides it
        if self.chat.busy:
            self.show_notice(self.tr("Wait for the current answer, or press Stop."))
            return
        if self.current is None:
            self.stores.call(
                lambda store: store.create_conversation(),
                on_done=lambda cid: self._send_new(cid, text),
            )
        else:
            self.chat.send(self.current, text)

    def _send_new(self, conversation_id: int, text: str) -> None:
        self.current = conversation_id
        self.view.clear()
        self.refresh_conversations(select=conversation_id)
        self.chat.send(conversation_id, text)

    def ask_about_files(self, paths: list) -> None:
        """Files dropped onto the chat: indexed for this conversation only; the next question
        is answered from them."""
        if self.current is None:
            self.stores.call(
                lambda store: store.create_conversation(),
                on_done=lambda cid: self._attach(cid, paths),
            )
        else:
            self._attach(self.current, paths)

    def _attach(self, conversation_id: int, paths: list) -> None:
        if self.current != conversation_id:
            self.current = conversation_id
            self.view.clear()
            self.refresh_conversations(select=conversation_id)
        names = ", ".join(p.name for p in paths[:3])
        self.show_notice(self.tr("Reading {files}…").format(files=names))
        self.knowledge.attach(conversation_id, paths)

    def _files_attached(self, conversation_id: int, summary: str) -> None:
        if conversation_id == self.current:
            self.show_notice(summary)
            self._notice_of = (conversation_id, summary)  # said of this conversation only

    def regenerate(self) -> None:
        if self.current is not None and self.view.has_topic():
            self.chat.regenerate(self.current)

    def edit_message(self, message_id: int) -> None:
        widget = self.view.widgets.get(message_id)
        if self.current is None or widget is None or self._busy():
            return
        text, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("Edit message"),
            self.tr(
                "Send it again as a new version. What followed it stays on the old branch "
                "(‹ › switch between them)."
            ),
            widget.text,
        )
        self.composer.focus_input()
        if ok and text.strip() and text.strip() != widget.text.strip():
            self.chat.edit(self.current, message_id, text.strip())

    def show_version(self, message_id: int) -> None:
        """Another version of a message, and the branch that follows it."""
        cid = self.current
        if cid is not None and not self._busy():
            shown = self._show_messages
            self.stores.call(
                lambda store: store.switch_branch(cid, message_id), lambda r: shown(cid, r)
            )

    def continue_answer(self, message_id: int) -> None:
        if self.current is not None and not self._busy():
            self.chat.continue_answer(self.current, message_id)

    def _busy(self) -> bool:
        if self.chat.busy:
            self.show_notice(self.tr("Wait for the current answer, or press Stop."))
        return self.chat.busy

    def _on_answer_continued(self, conversation_id: int, message_id: int) -> None:
        if conversation_id == self.current:
            self.view.set_row(message_id, {"status": "streaming", "finish_reason": None})

    # -- search, export, import ------------------------------------------------------------------
    def run_search(self, query: str) -> None:
        if query:
            show = self.search.show_hits
            self.stores.call(lambda store: store.search(query), lambda hits: show(query, hits))

    def open_at(self, conversation_id: int, message_id: int | None) -> None:
        """Open a conversation at a message (a search hit), on the branch that holds it."""
        if conversation_id not in self.conversations.ids():  # deleted since the search
            self.show_notice(self.tr("That conversation is gone."))
            self.run_search(self.search.query())
            return
        self.conversations.list.blockSignals(True)
        self.conversations.select(conversation_id)
        self.conversations.list.blockSignals(False)
        self.current = conversation_id
        self.stores.call(
            lambda store: store.messages(conversation_id),
            on_done=lambda rows: self._show_hit(conversation_id, message_id, rows),
        )

    def _show_hit(self, cid: int, message_id: int | None, rows: list[dict[str, Any]]) -> None:
        if cid != self.current:
            return
        if message_id is not None and message_id not in {r["id"] for r in rows}:
            if not self._busy():  # on another branch: show that one
                self.stores.call(
                    lambda store: store.switch_branch(cid, message_id),
                    on_done=lambda branch: self._show_hit(cid, message_id, branch),
                )
                return
        self.view.show_messages(rows)
        if message_id is not None:
            self.view.scroll_to(message_id)
            hit = self.view.widgets.get(message_id)
            if hit is not None:  # the keyboard (and a screen reader) goes on from the hit
                hit.body.setFocus(Qt.FocusReason.OtherFocusReason)

    def export_conversations(self) -> None:
        title = self.conversations.title(self.current) if self.current is not None else None
        choice = ask_export(self, title)
        if choice is not None:
            every, fmt, path = choice
            self.archive.export(None if every else [self.current], fmt, path)
            self.show_notice(self.tr("Exporting to {path}…").format(path=path))

    def import_conversations(self) -> None:
        path = ask_import(self)
        if path is not None:
            self.archive.import_file(path)

    def _on_imported(self, ids: list[int]) -> None:
        self.refresh_conversations(select=ids[0] if ids else None)
        self.show_notice(self.tr("Imported %n conversation(s).", "", len(ids)))

    # -- the conversation's own settings (side panel) ----------------------------------------
    def _show_panel(self) -> None:
        cid = self.current
        self.panel.setEnabled(cid is not None)
        if cid is not None:
            self.stores.call(
                lambda store: store.conversation_settings(cid),
                on_done=lambda saved: self._fill_panel(cid, saved),
            )

    def _fill_panel(self, cid: int, saved: dict[str, Any]) -> None:
        assistants = load_assistants()
        assistant = assistants.get(self.composer.assistant_box.currentData())
        defaults = chat_settings.defaults(self.chat.model, assistant, self.settings)

        def fill(installed: list[dict[str, Any]]) -> None:
            if cid == self.current:
                models = [row["id"] for row in installed]
                self.panel.show_settings(chat_settings.own(saved), defaults, assistants, models)

        self.stores.call(lambda store: store.installed_models(), fill)

    def change_conversation_settings(self, values: dict[str, Any]) -> None:
        if self.current is None:
            return
        cid = self.current
        self.stores.call(lambda store: store.update_conversation_settings(cid, **values))
        self.show_notice(self.tr("Saved for this conversation: it applies from its next answer."))

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
        said = {"complete": self.tr("Answer finished."), "stopped": self.tr("Answer stopped.")}
        announce(self.notice_label, said.get(row.get("status", ""), self.tr("No answer.")))
        if row.get("tokens_per_s"):
            self.speed_label.setText(
                self.tr("{speed} tokens/s · first token {ms} ms").format(
                    speed=number(row["tokens_per_s"], 1), ms=number(row["ttft_s"] * 1000)
                )
            )

    def _on_model_changed(self, info: dict[str, Any]) -> None:
        if info["chat_format"] == "server":  # a remote engine: threads and layers are its own
            parts = [info["id"]]
            if info["n_ctx"]:
                parts.append(self.tr("context {n}").format(n=info["n_ctx"]))
            self.model_label.setText(" · ".join([*parts, _device_text(info)]))
            return
        parts = [info.get("name") or info["id"], *([info["quant"]] if info["quant"] else [])]
        parts.append(self.tr("context {n}").format(n=info["n_ctx"]))
        parts.append(self.tr("%n thread(s)", "", info["n_threads"]))
        self.model_label.setToolTip(plain_tooltip(info["id"]))  # a model id from outside
        self.model_label.setText(" · ".join([*parts, _device_text(info)]))

    def show_model_manager(self) -> ModelManager:
        if self.model_manager is None:
            self.model_manager = ModelManager(self.models, self)
            self.model_manager.finished.connect(self.composer.focus_input)
        self.model_manager.show()
        self.model_manager.raise_()
        return self.model_manager

    def show_first_run(self, first_time: bool = False) -> FirstRunPage:
        """The first-run page: what this computer runs, a model per assistant, the starter (at
        the first start only for a user without a model of their own)."""
        if self.first_run is None:
            self.first_run = FirstRunPage(self.models, self.settings, self)
            self.first_run.finished.connect(self.composer.focus_input)
        self.first_run.present(first_time)
        return self.first_run

    def show_documents(self) -> DocumentsDialog:
        if self.documents is None:
            self.documents = DocumentsDialog(self.knowledge, self)
            self.documents.finished.connect(self.composer.focus_input)
        self.documents.show()
        return self.documents

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self, self.chat)
        accepted = dialog.exec() == SettingsDialog.DialogCode.Accepted
        self.composer.focus_input()
        if accepted:
            self.apply_settings(dialog.values())

    def apply_settings(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.settings[name] = value
        self.settings.save()  # a few hundred bytes, once per OK click
        self.theme.set_choice(self.settings["theme"])
        self.chat.settings_changed()
        self.show_notice(self.tr("Settings saved; they apply from the next answer."))

    def _scheme_changed(self, scheme: Any) -> None:
        self.view.set_dark(scheme.dark)

    def choose_theme(self, choice: str) -> None:
        self.settings["theme"] = choice
        self.settings.save()
        self.theme.set_choice(choice)

    def choose_assistant(self, assistant_id: str, level: str) -> None:
        assistant = load_assistants().get(assistant_id)
        self.chat.set_assistant(assistant, level or None)
        self.settings["assistant"] = assistant_id  # saved with the window state
        self.panel.set_assistant(assistant_id)
        if self.current is not None and not self._restoring:  # the conversation keeps it
            kept = {"assistant": assistant_id, **({"level": level} if level else {})}
            cid = self.current
            self.stores.call(lambda store: store.update_conversation_settings(cid, **kept))
            if self.panel_dock.isVisible():  # its defaults are the new assistant's
                self._show_panel()
        if assistant is not None and self.chat.model is not None:  # at start: prepare_default
            self.models.prefer_for(assistant, self.chat.model.id)

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        announce(self.notice_label, text)  # a screen reader says it; the focus stays

    def copy_last_answer(self) -> None:
        answers = [row for row in self.view.rows if row["role"] == "assistant"]
        if answers and answers[-1].get("content"):
            QApplication.clipboard().setText(answers[-1]["content"])
            self.show_notice(self.tr("Copied the last answer to the clipboard."))
        else:
            self.show_notice(self.tr("No answer to copy yet."))

    # -- the keyboard ---------------------------------------------------------------------------
    def tab_stops(self) -> list[QWidget]:
        """The Tab order: search, conversations, transcript, composer, then the docked panel."""
        left = self.search.results if self.search.results.isVisible() else self.conversations.list
        stops = [w for w in (self.search.box, self.conversations.new_button, left) if w.isVisible()]
        stops += self.view.tab_stops() + self.composer.tab_stops()
        return stops + (tab_stops_in(self.panel) if self.panel_dock.isVisible() else [])

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab follow tab_stops(): Qt's own chain is in the order widgets were
        made, and the transcript makes and lets go of message widgets as it scrolls."""
        current = QApplication.focusWidget()
        target = next_stop(self.tab_stops(), current, next)
        if current is self.view and next:  # into the messages on screen, not those above
            target = self.view.first_visible_stop() or target
        if target is None:
            return super().focusNextPrevChild(next)
        reason = Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason
        target.setFocus(reason)
        if self.view.isAncestorOf(target):
            self.view.ensureWidgetVisible(target)
        return True

    # -- window state -------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        self.resize(1000, 700)  # the first start's size, until one is saved
        for key, restore in (
            ("window_geometry", self.restoreGeometry),
            ("splitter_state", self.splitter.restoreState),
        ):
            if self.settings[key]:
                restore(QByteArray.fromBase64(self.settings[key].encode()))
        fit_to_screen(self)  # saved on a bigger screen, or at a smaller scale factor

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings["window_geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        self.settings["splitter_state"] = bytes(self.splitter.saveState().toBase64()).decode()
        self.settings.save()
        super().closeEvent(event)


def _device_text(info: dict[str, Any]) -> str:
    """Where the layers run: CPU, or the GPU and how many, e.g. "CUDA0: 26 layers on GPU"; or
    the server a remote model runs on, e.g. "on 192.168.1.5:8000"."""
    if info["device"].startswith("on "):
        return info["device"]
    if not info.get("n_gpu_layers"):
        return QCoreApplication.translate("MainWindow", "CPU")
    name = info["device"].split(" (")[0]
    text = QCoreApplication.translate("MainWindow", "{device}: %n layer(s) on GPU", None,
                                      info["n_gpu_layers"])
    return text.format(device=name)

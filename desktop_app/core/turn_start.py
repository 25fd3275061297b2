"""Where a turn's answer goes in the conversation's tree, stored before the model runs:

- a new question: stored at the end of the active branch; the answer goes under it;
- regenerate (text None): the answer goes under the branch's last question, beside the answers
  it already has (they stay, as versions);
- an edit (edit_of): the new text is stored beside the edited question (a new version, a new
  branch from there); the answer goes under it;
- continue (continue_of): nothing is stored; the answer so far is extended in place.

Messages that leave the branch on screen are announced (Listener.removed); nothing is deleted.
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.core import store as st
from desktop_app.core.errors import UsageError

if TYPE_CHECKING:
    from desktop_app.core.conversation import Listener, Turn

TITLE_WORDS = 8
CONTINUABLE = (st.COMPLETE, st.STOPPED, st.INTERRUPTED)


@dataclass(frozen=True)
class Start:
    question: str  # what the answer answers (grounding looks it up)
    parent_id: int | None  # the message the answer goes under
    continue_of: int | None = None  # the answer to extend instead of a new one


def title_for(text: str) -> str:
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def start(store: Any, turn: Turn, listener: Listener) -> Start:
    """Store what the turn asks (see the module's docstring); raises UsageError when the
    message it names cannot be used."""
    branch = store.messages(turn.conversation_id)
    if turn.continue_of is not None:
        return _continued(branch, turn.continue_of)
    if turn.edit_of is not None:
        return _edited(store, turn, listener, branch)
    if turn.text is None:
        return _again(branch, listener)
    message_id = store.add_message(turn.conversation_id, "user", turn.text)
    listener.user_message(store.message(message_id))
    if not store.conversation(turn.conversation_id).get("named"):
        title = title_for(turn.text)
        store.rename_conversation(turn.conversation_id, title)
        listener.renamed(title)
    return Start(turn.text, message_id)


def _again(branch: list[dict[str, Any]], listener: Listener) -> Start:
    """Regenerate: a new answer beside the last one; the old one leaves the screen."""
    at = _last_question(branch)
    for row in branch[at + 1 :]:
        listener.removed(row["id"])
    return Start(branch[at]["content"], branch[at]["id"])


def _edited(store: Any, turn: Turn, listener: Listener, branch: list[dict[str, Any]]) -> Start:
    at = next((i for i, m in enumerate(branch) if m["id"] == turn.edit_of), None)
    if at is None or branch[at]["role"] != "user":
        raise UsageError("Only your own messages on the branch shown can be edited.")
    if not (turn.text or "").strip():
        raise UsageError("The edited message is empty.")
    for row in branch[at:]:
        listener.removed(row["id"])
    message_id = store.add_message(
        turn.conversation_id, "user", turn.text, parent_id=branch[at]["parent_id"]
    )
    listener.user_message(store.message(message_id))
    return Start(turn.text or "", message_id)


def _continued(branch: list[dict[str, Any]], message_id: int) -> Start:
    last = branch[-1] if branch else None
    if last is None or last["id"] != message_id or last["role"] != "assistant":
        raise UsageError("Only the last answer of the shown branch can be continued.")
    if last["status"] not in CONTINUABLE or not last["content"].strip():
        raise UsageError("This answer has no text to continue; regenerate it instead.")
    question = branch[_last_question(branch)]["content"]
    return Start(question, last["parent_id"], continue_of=message_id)


def _last_question(branch: list[dict[str, Any]]) -> int:
    for at in range(len(branch) - 1, -1, -1):
        if branch[at]["role"] == "user":
            return at
    raise UsageError("There is nothing to answer again: this conversation has no question yet.")

"""The one action table: every key of the workbench, where it is bound, what the footer, the
command palette (Ctrl+P) and the help screen (`?`) say about it.

Each entry becomes a Textual `Binding` with an `id`, so users remap keys in specui.toml
(`[keys]` table: id = "key[,key...]", applied with `App.set_keymap`, as Posting does).
Entries have a scope: "workbench" entries are bound on the workbench screen; a pane's entries
(declared in its file under specui/ui/panes/, e.g. the runner's) are bound on that pane's
widget, so they act while focus is inside it.

Availability vs. visibility. A key bound here always runs its action (check_action True), and an
action that cannot apply now says why in a notification, instead of the key doing nothing.
What the footer lists is a separate, display-only question: a node may define
`footer_shows(action_name) -> bool | None` (True: listed, None: listed dimmed, False: left
out, e.g. to fit 80 columns), and `FooterAwareScreen` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.actions import parse
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from specui.ui.panes.base import Pane


@dataclass(frozen=True)
class UIAction:
    id: str  # the Binding id: what users name in specui.toml [keys]
    keys: str  # default key(s), comma-separated
    action: str  # a Textual action on the scope's node, e.g. "show_pane('spec')"
    label: str  # the footer's word
    title: str  # the palette's and help screen's line
    group: str  # the help screen's section
    scope: str = "workbench"  # "workbench" or a pane key
    footer: bool = True
    palette: bool = True
    key_display: str | None = None
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            key_display=self.key_display,
            priority=self.priority,
            id=self.id,
        )

    @property
    def action_name(self) -> str:
        return parse(self.action)[1]


GROUPS = ("Answer", "Panes", "SPEC.md", "Interview", "Runner", "Runner log", "Dialogs", "App")

WORKBENCH: tuple[UIAction, ...] = (
    # Answering. Enter is a priority binding so it submits whichever pane has focus; the
    # screen leaves it to the free-text box (a newline there) and to modal screens.
    UIAction("answer.submit", "enter", "submit_answer", "Submit", "Submit the answer",
             "Answer", footer=False, priority=True, key_display="⏎"),
    UIAction("answer.leave", "escape", "leave_answer", "Leave", "Leave the free-text box "
             "(letters act as commands again)", "Answer", footer=False, palette=False),
    UIAction("answer.focus", "i,f1", "focus_answer", "Answer", "Go to the answer",
             "Answer", footer=False, key_display="i"),
    *(
        # Priority like Enter, so "2⏎" typed fast is handled in order: a digit that took the
        # focused widget's route would reach its binding after the priority Enter had run.
        UIAction(f"answer.pick.{n}", str(n), f"answer_pick({n - 1})", "Pick",
                 f"Pick / toggle option {n}", "Answer", footer=False, palette=False,
                 priority=True)
        for n in range(1, 10)
    ),
    UIAction("question.read", "q", "read_question", "Question", "Read the whole question "
             "(when it is longer than its pane: ↑↓ PgUp PgDn scroll, i returns)", "Answer",
             footer=False),
    UIAction("spec.finalize", "f", "finalize", "Finalize", "Finalize the selected section "
             "(again: un-finalize)", "SPEC.md"),
    UIAction("spec.conflicts", "C,f5", "conflicts", "Conflicts", "SPEC.md conflicts", "SPEC.md",
             key_display="C"),
    UIAction("interview.exit_early", "x", "exit_early", "Exit early",
             "Exit the interview early (from round 4)", "Interview"),
    UIAction("interview.refine", "e", "refine_further", "Refine further",
             "Refine further: re-enter the ended interview (a new pass of rounds)", "Interview"),
    # Only while an engine round runs or has failed (check_action): otherwise Esc, r and o
    # keep their other meanings (leave the text box, the runner pane, text).
    UIAction("interview.cancel", "escape", "cancel_round", "Cancel round",
             "Cancel the engine's round (its process group ends)", "Interview", priority=True,
             key_display="esc"),
    UIAction("interview.retry", "r", "retry_round", "Retry", "Run the failed engine round "
             "again", "Interview", priority=True),
    UIAction("interview.offline", "o", "offline_round", "Offline", "Switch to the offline "
             "engine and run the failed round with it", "Interview", priority=True),
    UIAction("app.help", "question_mark,f10", "help", "Keys", "Keys and actions (this list)",
             "App", footer=False, key_display="?"),
    UIAction("app.quit", "ctrl+q", "app.quit", "Quit", "Quit", "App", footer=False,
             priority=True, key_display="^q"),
)


# Keys a widget or dialog binds itself (in its own BINDINGS, where they act): described here
# so the help screen lists them and specui.toml [keys] accepts their ids. They are not bound
# from this table; tests/unit/test_widget_keys.py keeps it equal to the ids those classes declare.
WIDGET_KEYS: tuple[UIAction, ...] = tuple(
    UIAction(id_, keys, "", "", title, group, scope="widget", footer=False, palette=False)
    for id_, keys, title, group in (
        ("picker.submit_text", "ctrl+s,ctrl+enter", "Submit a free-text or Other answer",
         "Answer"),
        ("picker.toggle", "space", "Toggle the highlighted option (multi-select)",
         "Answer"),
        ("picker.back", "escape", "In the Other input: back to the options", "Answer"),
        ("picker.submit", "enter", "Submit, bound on the option list", "Answer"),
        ("picker.pick", "1", "Pick / toggle option 1, bound on the option list",
         "Answer"),
        *(
            (f"picker.pick.{n}", str(n),
             f"Pick / toggle option {n}, bound on the option list", "Answer")
            for n in range(2, 10)
        ),
        ("spec.back", "escape", "In a section's text: back to the list of sections",
         "SPEC.md"),
        ("log.follow", "end,G", "Follow the log's tail", "Runner log"),
        ("log.top", "home,g", "Jump to the top of the log", "Runner log"),
        ("log.search", "slash", "Search the whole log", "Runner log"),
        ("log.next_match", "n", "Next match (while a search is set)", "Runner log"),
        ("log.previous_match", "N", "Previous match", "Runner log"),
        ("log.clear_search", "escape", "Clear the search (n runs the next phase again)",
         "Runner log"),
        ("conflicts.select", "up", "Conflicts: previous (↓ next)", "Dialogs"),
        ("conflicts.apply", "a", "Conflicts: apply specui's proposal", "Dialogs"),
        ("conflicts.append", "m", "Conflicts: append the proposal under your text",
         "Dialogs"),
        ("conflicts.dismiss", "d", "Conflicts: dismiss (kept in history)", "Dialogs"),
        ("conflicts.close", "escape", "Conflicts: close", "Dialogs"),
        ("confirm.yes", "y", "Confirmations: yes", "Dialogs"),
        ("confirm.no", "n,escape", "Confirmations: no", "Dialogs"),
        ("runner.modal.cancel", "escape", "Phase, handoff, past runs, search: close",
         "Dialogs"),
        ("bridge.cancel", "escape", "An agent's question: cancel it", "Dialogs"),
        ("bridge.previous", "left", "An agent's questions: back to the previous one",
         "Dialogs"),
        ("bridge.read_question", "q", ("An agent's question: read the rest of a long one "
         "(↑↓ PgUp PgDn scroll)"), "Dialogs"),
        ("bridge.answer", "i", "An agent's question: back to the answer", "Dialogs"),
        ("help.close", "escape,question_mark,f10,q", "This list: close", "Dialogs"),
    )
)


def pane_actions(pane: type[Pane]) -> tuple[UIAction, ...]:
    """A pane's two keys: its letter goes to the pane; its F-key shows it while the answer
    keeps focus (the F-keys work while typing; the letters are text there)."""
    key, title = pane.key, pane.title
    return (
        UIAction(f"pane.{key}", pane.letter, f"show_pane('{key}')", pane.label,
                 f"Go to the {title} pane", "Panes"),
        UIAction(f"pane.{key}.peek", pane.fkey, f"peek_pane('{key}')", pane.label,
                 f"Show the {title} pane, keep typing the answer", "Panes"),
    )


def table() -> tuple[UIAction, ...]:
    """Every entry, in footer order: the answer keys, each pane's two keys, the other
    workbench keys, then each pane's own."""
    from specui.ui.panes import registered

    panes = registered()
    entries = [e for e in WORKBENCH if e.group == "Answer"]
    for pane in panes:
        entries.extend(pane_actions(pane))
    entries += [e for e in WORKBENCH if e.group != "Answer"]
    for pane in panes:
        entries.extend(pane.actions)
    return tuple(entries)


def bindings(scope: str) -> list[Binding]:
    return [entry.binding() for entry in table() if entry.scope == scope]


def by_id() -> dict[str, UIAction]:
    return {entry.id: entry for entry in table()}


def help_entries() -> tuple[UIAction, ...]:
    """Every key the help screen lists: the action table, then the widgets' own keys."""
    return (*table(), *WIDGET_KEYS)


def check_keymap(keymap: dict[str, str]) -> list[str]:
    """Warnings for specui.toml [keys]: an id that names no action, and a key given to an id
    that another workbench or pane action still has (only one of the two would run). Keys the
    defaults share on purpose (Esc leaves the text box or cancels a round) are no conflict."""
    known = {entry.id for entry in help_entries()}
    warnings = [
        f"specui.toml [keys]: no action {name!r} (press ? for the list of ids)"
        for name in keymap
        if name not in known
    ]
    bound = table()
    default = {e.id: split_keys(e.keys) for e in bound}
    effective = {e.id: split_keys(keymap.get(e.id) or e.keys) for e in bound}
    for name, keys in keymap.items():
        if name not in default:
            continue
        if not split_keys(keys):
            warnings.append(
                f"specui.toml [keys]: an empty key for {name} is ignored; it keeps "
                f"{', '.join(default[name])}"
            )
            continue
        for key in split_keys(keys):
            others = [
                e.id for e in bound
                if e.id != name and key in effective[e.id]
                and not (key in default[name] and key in default[e.id])
            ]
            if others:
                warnings.append(
                    f"specui.toml [keys]: {key!r} for {name} is also the key of "
                    f"{', '.join(others)}; only one of them runs (give one another key)"
                )
    return warnings


def keymap_to_apply(keymap: dict[str, str]) -> dict[str, str]:
    """The user's [keys] plus, for every action that shares a default key with a moved one,
    that action's own keys. Textual (8.2, `BindingsMap.apply_keymap`) drops every binding of
    the old key when one id moves off it: moving `pane.runner` off `r` took the failed round's
    `r` retry with it. Naming the others keeps them where they were."""
    bound = table()
    default = {e.id: split_keys(e.keys) for e in bound}
    vacated = {k for name, keys in keymap.items() if split_keys(keys) for k in default.get(name, [])}
    out = dict(keymap)
    for e in bound:
        if e.id not in keymap and vacated & set(default[e.id]):
            out[e.id] = e.keys
    return out


def split_keys(keys: str) -> list[str]:
    """A binding's comma-separated keys ("C,f5"), as a list."""
    return [k.strip() for k in keys.split(",") if k.strip()]


class FooterAwareScreen(Screen):
    """A screen whose footer asks each binding's node `footer_shows(action)` (see module doc).
    Key dispatch does not use `active_bindings`, so every key keeps working."""

    FOOTER_HOOK: ClassVar[str] = "footer_shows"

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        shown: dict[str, ActiveBinding] = {}
        for key, active in super().active_bindings.items():
            hook = getattr(active.node, self.FOOTER_HOOK, None)
            state: bool | None = True
            if hook is not None:
                state = hook(parse(active.binding.action)[1])
            if state is False:
                continue
            if state is None and active.enabled:
                active = ActiveBinding(active.node, active.binding, False, active.tooltip)
            shown[key] = active
        return shown


def help_rows(
    entries: Iterable[UIAction], keys: Callable[[UIAction], str]
) -> list[tuple[str, str, str, str]]:
    """(group, keys, title, id) for the help screen, in GROUPS order; the nine digit keys
    share one row."""
    rows = []
    for e in entries:
        if e.id.startswith("answer.pick."):
            if e.id == "answer.pick.1":
                rows.append((e.group, "1 … 9", "Pick / toggle option 1 … 9", "answer.pick.1 … 9"))
            continue
        if e.id.startswith("picker.pick"):
            if e.id == "picker.pick":
                rows.append((e.group, "1 … 9", "Pick / toggle, bound on the option list",
                             "picker.pick(.2 … .9)"))
            continue
        rows.append((e.group, keys(e), e.title, e.id))
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(rows, key=lambda r: order.get(r[0], len(order)))

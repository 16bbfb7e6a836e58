"""The option picker under the question: choose one, choose a set, type "Other", or write text.

Keys (shown in the footer when they apply):
  ↑/↓ move · 1–9 pick (single) or toggle (multi) · Space toggles (multi) · Enter submits.
  The "Other" entry opens an inline Input: Enter submits, empty text is refused, Esc backs out.
  Free-text questions (no options) get a TextArea: Ctrl+S submits (Ctrl+Enter too where the
  terminal can send it; tmux usually cannot, hence Ctrl+S as the documented key).

The picker never builds the Answer itself: it posts `OptionPicker.Submitted(selected,
other_text)` and the workbench validates it with `build_answer` (the one set of rules, shared
with the CLI bridge). Errors come back through `show_error` and appear in the hint line; it
clears as soon as the user changes the answer. Every change also posts `DraftChanged`, and
`draft()` / `set_question(..., draft)` save and restore what was ticked or typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TextArea

from specui.ui.lifecycle import is_live
from specui.ui.widgets.safe_text import clean
from specui.ui.widgets.static_text import show

if TYPE_CHECKING:
    from specui.core.interview.state import AnswerDraft
    from specui.core.questions import Question
    from specui.session_file import SavedDraft, SavedQuestion


def _digit_bindings() -> list[Binding]:
    bindings = [
        Binding("1", "pick(0)", "Pick", key_display="1-9", id="picker.pick"),
    ]
    bindings += [
        Binding(str(n), f"pick({n - 1})", "Pick", show=False, id=f"picker.pick.{n}")
        for n in range(2, 10)
    ]
    return bindings


class ChoiceList(OptionList):
    """The options plus an optional "Other" entry. Knows nothing about submitting rules."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_digit_bindings(),
        # Space is explained by the hint line under the options (the footer is full at 80x24).
        Binding("space", "toggle", "Toggle", show=False, id="picker.toggle"),
        Binding("enter", "submit", "Submit", key_display="⏎", id="picker.submit", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picker: OptionPicker | None = None
        self._wrapped_width = 0
        # The width prompts wrap to, kept while the list is hidden (a free-text question): the
        # next options are wrapped for it before they are shown, not in a second frame.
        self.content_width = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        picker = self.picker
        if picker is None or picker.question is None:
            # No question (the interview ended, a round is still coming): the hidden list may
            # keep the focus, but it offers nothing to pick (no "1-9 Pick" in the footer).
            return False
        if action == "toggle" and not picker.question.multi_select:
            return False
        return not (action == "pick" and parameters and int(parameters[0]) >= self.option_count)

    def action_pick(self, index: int) -> None:
        if self.picker is not None:
            self.picker.pick(index)

    def action_toggle(self) -> None:
        if self.picker is not None and self.highlighted is not None:
            self.picker.pick(self.highlighted)

    def action_submit(self) -> None:
        if self.picker is not None:
            self.picker.submit()

    def action_select(self) -> None:  # OptionList's Enter/click path
        self.action_submit()

    def on_resize(self, event: events.Resize) -> None:
        # Its first layout, a new terminal width, or shown again after a free-text question
        # (hidden, it had no width to wrap to): the prompts are wrapped to the width it has now.
        if self.scrollable_content_region.width:
            self.content_width = self.scrollable_content_region.width
        if self.picker is not None and event.size.width != self._wrapped_width:
            self._wrapped_width = event.size.width
            self.picker.rewrap()


def _held(widget: Widget, event: events.Key | events.Paste) -> bool:
    """The answer is on its way (the picker is busy): text typed into it now would be lost
    with the next question, so it is not taken (the hint says what is happening)."""
    busy = getattr(widget.parent, "busy", False)
    if busy and (isinstance(event, events.Paste) or event.is_printable):
        event.prevent_default()
        event.stop()
        return True
    return False


class AnswerText(TextArea):
    """The free-text answer box (takes no text while the answer is being sent)."""

    _restyle_when_shown = False

    def watch_has_focus(self, has_focus: bool) -> None:
        # Hidden (the next question has options), its focus look shows nowhere: restyling it
        # and its component classes then only delays that question's frame.
        if not self.display:
            self._restyle_when_shown = True
            return
        super().watch_has_focus(has_focus)

    def reveal(self, text: str) -> None:
        """Show the box holding `text` (a new question's draft, or nothing)."""
        if self.text != text:
            self.text = text
        self.display = True
        if self._restyle_when_shown:
            self._restyle_when_shown = False
            self.update_node_styles()

    async def _on_key(self, event: events.Key) -> None:
        _held(self, event)

    def _on_paste(self, event: events.Paste) -> None:
        _held(self, event)


class OtherInput(Input):
    """The one-line Other answer. A pasted paragraph is kept whole, its lines joined by
    spaces (Input keeps only the first line of a paste: the rest was silently lost)."""

    async def _on_key(self, event: events.Key) -> None:
        _held(self, event)

    def _on_paste(self, event: events.Paste) -> None:
        if _held(self, event):
            return
        text = " ".join(line.strip() for line in event.text.splitlines() if line.strip())
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        event.prevent_default()  # not Input's handler too
        event.stop()


class OptionPicker(Vertical):
    """Answer entry for the current question (see module docstring)."""

    DEFAULT_CLASSES = "pane"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Ctrl+Enter too where the terminal can send it (tmux usually cannot).
        Binding("ctrl+s,ctrl+enter", "submit_text", "Submit", key_display="^s",
                id="picker.submit_text"),
        Binding("escape", "back_out", "Back", key_display="esc", id="picker.back"),
    ]

    class Submitted(Message):
        """The user asked to submit: option indexes chosen + typed Other/free text."""

        def __init__(self, picker: OptionPicker, selected: list[int], text: str | None) -> None:
            super().__init__()
            self.picker = picker
            self.selected = selected
            self.text = text

        @property
        def control(self) -> OptionPicker:
            return self.picker

    class DraftChanged(Message):
        """What is ticked or typed changed (the workbench saves it, debounced)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, OptionPicker.DraftChanged)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question: Question | SavedQuestion | None = None
        self.key: object = None
        self.chosen: set[int] = set()
        self.other_mode = False
        self.busy = False
        self._error = False
        self._restoring = False
        self._focus_coming = False  # an entry was told to take the focus (it comes deferred)
        self._hint_timer: Timer | None = None  # a "Saving your answer…" still to be shown

    def compose(self) -> ComposeResult:
        choices = ChoiceList(id="choices")
        choices.picker = self
        yield choices
        # Compact (borderless) editors: at 80x24 the two border rows are worth more as text.
        # No select-on-focus: coming back to a half-typed answer (F1 / i after a look at
        # another pane) must not arm the next keystroke to replace everything typed so far.
        yield OtherInput(
            id="other-input",
            placeholder="your answer",  # its keys are in the hint line right below
            compact=True,
            select_on_focus=False,
        )
        yield AnswerText(id="free-text", soft_wrap=True, show_line_numbers=False, compact=True)
        yield Static(id="picker-hint", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Answer"
        # query, not query_one: mounted while the app shuts down, the children may be gone.
        for editor in self.query("#other-input, #free-text"):
            editor.display = False

    # ------------------------------------------------------------------ state
    @property
    def choices(self) -> ChoiceList:
        return self.query_one("#choices", ChoiceList)

    @property
    def has_other(self) -> bool:
        return self.question is not None and self.question.allow_other

    @property
    def other_index(self) -> int | None:
        if self.question is None or not self.has_other:
            return None
        return len(self.question.options)

    @property
    def text_mode(self) -> bool:
        """True while the user types (Other input or free text): letter keys are text then."""
        return self.other_mode or (self.question is not None and self.question.is_free_text)

    def set_question(
        self,
        question: Question | SavedQuestion | None,
        key: object,
        draft: AnswerDraft | SavedDraft | None = None,
    ) -> None:
        """Show `question`. The same `key` again keeps what the user has chosen or typed; a new
        one starts from `draft` when the draft was saved for this key."""
        if key == self.key and question is not None and self.question is not None:
            if self.busy:
                self.busy = False
                self._refresh_hint()
            return
        self.key = key
        self.question = question
        self.chosen = set()
        self.other_mode = False
        self.busy = False
        other = self.query_one("#other-input", Input)
        other.value = ""
        other.display = False
        # The hidden box keeps the last text until it is shown again (clearing it costs the
        # next question's frame a document rebuild); a free-text question fills it first.
        free = self.query_one("#free-text", AnswerText)
        choices = self.choices
        if question is None:
            choices.clear_options()
            choices.display = False
            free.display = False
            self._refresh_hint()
            return
        if draft is not None and draft.key != key:
            draft = None
        # A new question takes the focus wherever it was (the SPEC.md pane after `s`, say):
        # the next keys are its answer, never commands.
        self._restoring = True
        if question.is_free_text:
            choices.clear_options()
            choices.display = False
            free.reveal(draft.text if draft is not None else "")
            if draft is not None:
                free.move_cursor(free.document.end)
            self._focus_coming = True
            free.focus()
        else:
            free.display = False
            choices.display = True
            count = len(question.options) + (1 if question.allow_other else 0)
            if draft is not None:
                self.chosen = {i for i in draft.chosen if i < count} if question.multi_select else set()
            choices.set_options(self._prompts())
            highlighted = draft.highlighted if draft is not None else None
            in_range = highlighted is not None and 0 <= highlighted < count
            choices.highlighted = highlighted if in_range else self._recommended_index()
            choices.focus()
            if draft is not None and draft.other and self.other_index is not None:
                other.value = draft.text
                other.cursor_position = len(draft.text)
                self._open_other()
        self._restoring = False
        self._refresh_hint()

    def draft(self) -> AnswerDraft:
        """What is ticked or typed now, for the session store."""
        from specui.core.interview.state import AnswerDraft

        q = self.question
        text = ""
        if q is not None and q.is_free_text:
            text = self.query_one("#free-text", TextArea).text
        elif self.other_mode:
            text = self.query_one("#other-input", Input).value
        return AnswerDraft(
            key=str(self.key),
            chosen=sorted(self.chosen),
            highlighted=self.choices.highlighted if q is not None and not q.is_free_text else None,
            other=self.other_mode,
            text=text,
        )

    def untouched(self, draft: AnswerDraft) -> bool:
        """Nothing chosen or typed: a draft not worth saving. A single-select pick only moves
        the highlight, so one away from where the question opened is a choice too."""
        if draft.chosen or draft.other or draft.text:
            return False
        q = self.question
        if draft.highlighted is None or q is None or q.is_free_text or draft.key != str(self.key):
            return True
        return draft.highlighted == self._recommended_index()

    def _changed(self) -> None:
        """The user changed the answer: a refusal no longer applies; save the draft."""
        if self._restoring:
            return
        if self._error:
            self._refresh_hint()
        self.post_message(self.DraftChanged())

    @on(Input.Changed, "#other-input")
    @on(TextArea.Changed, "#free-text")
    def _text_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        event.stop()
        self._changed()

    def focus_entry(self) -> None:
        """Focus where the answer is entered: the free-text box, the Other input, the list."""
        q = self.question
        if q is not None and q.is_free_text:
            target = self.query_one("#free-text")
        elif self.other_mode:
            target = self.query_one("#other-input")
        else:
            target = self.choices
        # At once, not after the keys already queued (Widget.focus waits behind them): a
        # burst like "F2 text" sends the text to the answer.
        self.screen.set_focus(target)

    def submit_current(self) -> None:
        """Enter, from wherever focus is: submit what the answer holds now."""
        q = self.question
        if q is None or self.busy:
            return
        if q.is_free_text or self.other_mode:
            self.action_submit_text()
        else:
            self.submit()

    def _recommended_index(self) -> int:
        assert self.question is not None
        for i, option in enumerate(self.question.options):
            if option.recommended:
                return i
        return 0

    def _prompt(self, index: int) -> Content:
        assert self.question is not None
        q = self.question
        number = f"{index + 1}" if index < 9 else " "
        multi = q.multi_select
        mark = ("[x] " if index in self.chosen else "[ ] ") if multi else ""
        head = Content.assemble((f"{number} ", "$text-muted"), mark)
        if index == self.other_index:
            body = Content.assemble(
                (clean(q.other_label), "italic"), ("  (type your own answer)", "$text-muted")
            )
        else:
            option = q.options[index]
            parts: list[str | tuple[str, str]] = [(clean(option.label), "bold")]
            if option.recommended:
                parts.append(("  ★ recommended", "$accent"))
            if option.description.strip():
                parts.append(("  — " + clean(option.description), "$text-muted"))
            body = Content.assemble(*parts)
        return head + self._hang(body, head.cell_length)

    def _hang(self, body: Content, indent: int) -> Content:
        """Wrap `body` to the list's width with continuation lines under the label, not under
        the number (OptionList's own wrapping starts them at column 0, where they read like
        another option). Hidden, the list wraps to the width it last had; before its first
        layout the width is unknown: left to OptionList, and the prompts are rebuilt when the
        list's width changes (ChoiceList.on_resize)."""
        choices = self.choices
        room = choices.scrollable_content_region.width or choices.content_width
        width = room - indent - 1  # -1: scrollbar room
        if width < 12 or body.cell_length <= width:
            return body
        lines = [line.rstrip() for line in body.wrap(width)]
        return Content("\n" + " " * indent).join(lines)

    def rewrap(self) -> None:
        """The prompts again, wrapped to the list's width now."""
        q = self.question
        if q is None or q.is_free_text or not self.choices.option_count:
            return
        highlighted = self.choices.highlighted
        self.choices.set_options(self._prompts())
        self.choices.highlighted = highlighted

    def _prompts(self) -> list[Content]:
        assert self.question is not None
        count = len(self.question.options) + (1 if self.has_other else 0)
        return [self._prompt(i) for i in range(count)]

    # ------------------------------------------------------------------ actions
    def pick(self, index: int) -> None:
        """1–9 / Space: single → move there (Other opens the input); multi → toggle."""
        q = self.question
        if q is None or self.busy or q.is_free_text or index >= self.choices.option_count:
            return
        self.choices.highlighted = index
        if q.multi_select:
            if index in self.chosen:
                self.chosen.discard(index)
                if index == self.other_index:
                    self._close_other()
            else:
                self.chosen.add(index)
                if index == self.other_index:
                    self._open_other()
            self.choices.replace_option_prompt_at_index(index, self._prompt(index))
        elif index == self.other_index:
            self._open_other()
        self._refresh_hint()
        self._changed()

    def submit(self) -> None:
        """Enter on the list. Single: the highlighted option. Multi: the chosen set."""
        q = self.question
        if q is None or self.busy:
            return
        if q.multi_select:
            picked = sorted(i for i in self.chosen if i != self.other_index)
            if not self.chosen:
                self.show_error("Choose at least one option (Space or 1-9), then Enter.")
                return
            if self.other_index in self.chosen:
                self._submit_other()
                return
            self._post(picked, None)
            return
        index = self.choices.highlighted
        if index is None:
            self.show_error("Move to an option first (arrows or 1-9).")
            return
        if index == self.other_index:
            self._open_other()
            return
        self._post([index], None)

    def action_submit_text(self) -> None:
        if self.question is None or self.busy:
            return
        if self.question.is_free_text:
            text = self.query_one("#free-text", TextArea).text
            if not text.strip():
                self.show_error("The answer must not be empty: type something, then Ctrl+S.")
                return
            self._post([], text)
        elif self.other_mode:
            self._submit_other()

    def action_back_out(self) -> None:
        if self.other_mode:
            if self.other_index is not None:
                self.chosen.discard(self.other_index)
                if self.other_index < self.choices.option_count:
                    self.choices.replace_option_prompt_at_index(
                        self.other_index, self._prompt(self.other_index)
                    )
            self._close_other()
            self._refresh_hint()
            self._changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back_out":
            return self.other_mode
        if action == "submit_text":
            return self.text_mode
        return True

    @on(Input.Submitted, "#other-input")
    def _other_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_other()

    def _submit_other(self) -> None:
        text = self.query_one("#other-input", Input).value
        if not text.strip():
            label = self.question.other_label if self.question else "Other"
            self.show_error(f"{clean(label)}: type your answer (empty is not accepted), or Esc.")
            return
        picked = sorted(i for i in self.chosen if i != self.other_index)
        self._post(picked, text)

    def _open_other(self) -> None:
        self.other_mode = True
        other = self.query_one("#other-input", Input)
        other.display = True
        self._focus_coming = True
        other.focus()
        self.refresh_bindings()

    def _close_other(self) -> None:
        self.other_mode = False
        other = self.query_one("#other-input", Input)
        other.display = False
        self.choices.focus()
        self.refresh_bindings()

    def _post(self, selected: list[int], text: str | None) -> None:
        # Held at once (no change, no second submit); what the wait is called is the app's to
        # say: "Saving your answer…", or "Sending … once the interviewer is up".
        self.busy = True
        self.post_message(self.Submitted(self, selected, text))

    def wait(self, message: str, *, after: float = 0.0) -> None:
        """The answer is on its way: hold it (no changes, no second submit) and say so, at
        once or `after` seconds from now if it is still on its way then."""
        self.busy = True
        if after <= 0:
            self._set_hint(message, error=False)
            return
        self._stop_hint_timer()

        def still_waiting() -> None:
            self._hint_timer = None
            if self.busy and is_live(self):  # not while the app takes the picker down
                self._set_hint(message, error=False)

        self._hint_timer = self.set_timer(after, still_waiting)

    def _stop_hint_timer(self) -> None:
        if self._hint_timer is not None:
            self._hint_timer.stop()
            self._hint_timer = None

    # ------------------------------------------------------------------ hint line
    def show_error(self, message: str) -> None:
        """A refused submission: say why, keep everything the user typed."""
        self.busy = False
        self._set_hint(message, error=True)

    def done(self) -> None:
        """The app accepted the answer (the next question arrives via set_question)."""
        self.busy = False
        self._refresh_hint()  # not "Saving your answer…" over a question shown again

    def _set_hint(self, text: str, *, error: bool, away: bool = False) -> None:
        self._stop_hint_timer()
        self._error = error
        hint = self.query_one("#picker-hint", Static)
        # A hint that stays one line keeps the pane's height: repainting the line is enough (a
        # layout of the whole screen, e.g. for "Saving your answer…", delayed the submission).
        show(hint, Content(clean(text)))
        hint.set_class(error, "-error")
        hint.set_class(away, "-away")

    def _entry_away(self) -> bool:
        """The answer is typed (free text, Other) but the focus is elsewhere: the keys are
        commands now, whatever the box looks like."""
        if not self.text_mode or self._focus_coming or not self.is_attached:
            return False
        focused = self.screen.focused
        return focused is None or focused.id not in ("free-text", "other-input")

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._focus_coming = False
        self._focus_moved()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._focus_moved()

    def _focus_moved(self) -> None:
        if not self.busy and not self._error:
            self._refresh_hint()

    def _refresh_hint(self) -> None:
        q = self.question
        if q is None:
            self._set_hint("", error=False)
            return
        if self._entry_away():
            self._set_hint("Keys are commands here · i: back to your answer", error=False,
                           away=True)
            return
        if q.is_free_text:
            text = "Ctrl+S submits · Enter: new line · Esc leaves the box"
        elif self.other_mode:
            text = "Type your answer · Enter submits · Esc goes back to the options"
        elif q.multi_select:
            n = len(self.chosen)
            text = f"↑↓ move · Space/1-9 toggle · Enter submits ({n} chosen)"
        else:
            text = "↑↓ move · 1-9 pick · Enter submits"
        self._set_hint(text, error=False)

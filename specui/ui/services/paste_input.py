"""A bracketed paste reaches the answer boxes whole, as text.

Textual 8.2's XTerm parser leaves a bracketed paste (ESC [200~ … ESC [201~) when the pasted text
itself holds an ESC, which coloured text copied from a log does: the characters after it are
re-issued as key presses: the paste comes scrambled, and a line break after a colour code
comes as Enter, which submits half an answer (with `^[31m` in it) into SPEC.md.

`PasteSafeParser` keeps the terminal's bytes as they are outside a paste. Inside one, it drops
colour codes (SGR) and shows any other escape as "␛" (U+241B, visible and removable) before
Textual's parser sees the text, so the whole paste arrives as one `Paste` event. A marker or an
escape split across two reads is held back until the rest arrives.

Textual's Linux driver builds its parser from its module's `XTermParser` name when its input
thread starts; `install` points that name at this parser for the workbench's driver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual._xterm_parser import XTermParser
from textual.message import Message

ESC = "\x1b"
START = "\x1b[200~"
END = "\x1b[201~"
SHOWN_ESC = "\u241b"
_SGR = re.compile(r"\x1b\[[0-9;:]*m")
# An escape not finished at the end of a read: ESC, optionally "[" and parameter bytes.
_OPEN_ESCAPE = re.compile(r"\x1b(?:\[[0-9;:?<=>]*)?$")


def clean_pasted(text: str) -> str:
    """Pasted text without colour codes; any other escape made visible."""
    return _SGR.sub("", text).replace(ESC, SHOWN_ESC)


def _held_tail(text: str, marker: str) -> int:
    """How many trailing characters of `text` may be the start of `marker` or of an escape
    sequence still arriving (kept for the next read)."""
    for n in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-n:]):
            return n
    m = _OPEN_ESCAPE.search(text)
    return len(m.group(0)) if m else 0


class PasteSafeParser(XTermParser):
    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        self._held = ""
        # The end of what was passed on outside a paste: a paste marker may start there.
        self._tail = ""

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end of input: what was held back, then Textual's end
            if self._held:
                yield from super().feed(clean_pasted(self._held))
                self._held = ""
            yield from super().feed(data)
            return
        yield from super().feed(self._guard(data))

    def _guard(self, data: str) -> str:
        text, self._held = self._held + data, ""
        out: list[str] = []
        i = 0
        while i < len(text):
            if not self._pasting:
                # Outside a paste nothing is held back: a lone ESC is the Escape key, which
                # Textual's parser resolves with its own timeout. A marker that began in the
                # previous read is found through its tail.
                seen = self._tail + text[i:]
                j = seen.find(START)
                if j < 0:
                    out.append(text[i:])
                    self._tail = seen[-(len(START) - 1) :]
                    break
                end = i + j + len(START) - len(self._tail)
                out.append(text[i:end])
                i = end
                self._pasting = True
                self._tail = ""
                continue
            j = text.find(END, i)
            if j < 0:
                rest = text[i:]
                keep = _held_tail(rest, END)
                out.append(clean_pasted(rest[: len(rest) - keep]))
                self._held = rest[len(rest) - keep :]
                break
            out.append(clean_pasted(text[i:j]) + END)
            i = j + len(END)
            self._pasting = False
        return "".join(out)


def install(driver_class: type) -> None:
    """Make the Linux driver (also macOS's) build this parser for its input thread."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # Windows: another driver, another parser
        return
    if isinstance(driver_class, type) and issubclass(driver_class, linux_driver.LinuxDriver):
        linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]

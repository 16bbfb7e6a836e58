"""The question-bridge inbox: `specui question` from another process (an agent in another tmux
pane) writes a request into .specui/bridge (specui/bridge.py); the workbench announces itself
with .specui/workbench.pid, lists pending requests off the event loop, asks them one at a time
in `BridgeQuestionScreen` and writes the answer (or the cancel) back, also off the loop.

Scans run when the watcher sees a bridge file change, after each answer, and every couple of
seconds as a safety net (a request written before the watch was armed, or a failed watcher)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from specui.ui.services.workers import WorkerGroup

if TYPE_CHECKING:
    from specui.core.paths import Project
    from specui.ui.app import SpecuiApp

POLL_SECONDS = 2.0


class BridgeRequestsFound(Message):
    """A fresh list of pending `specui question` requests (read off the event loop)."""

    def __init__(self, requests: list[Any]) -> None:
        super().__init__()
        self.requests = requests

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BridgeRequestsFound)


class BridgeInbox:
    def __init__(self, app: SpecuiApp, project: Project) -> None:
        self.app = app
        self.project = project
        self.screen: Any = None  # the open BridgeQuestionScreen, if any
        self.done_ids: set[str] = set()  # answered/cancelled here (files may linger)
        self.pid_written = False

    # ------------------------------------------------------------------ lifecycle
    def announce(self) -> None:
        """Write .specui/workbench.pid: from now on `specui question` asks here. Called once the
        first question is painted (importing the bridge earlier would compete with the boot
        thread for the GIL); a question arriving before `start` waits in .specui/bridge."""
        self._thread(self._announce)

    def _announce(self) -> None:
        from specui.bridge import write_workbench_pid
        from specui.core.errors import SpecuiError

        try:
            write_workbench_pid(self.project)
        except OSError as exc:
            raise SpecuiError(
                f"questions from `specui question` cannot reach this workbench: cannot write "
                f".specui/workbench.pid: {exc.strerror or exc}"
            ) from None
        self.pid_written = True

    def start(self) -> None:
        self.scan()
        self.app.set_interval(POLL_SECONDS, self.scan, name="bridge.poll")

    def stop(self) -> None:
        if self.pid_written:
            from specui.bridge import remove_workbench_pid

            try:
                remove_workbench_pid(self.project)
            except OSError:
                pass

    def _thread(self, fn: Any, *args: Any, group: WorkerGroup = WorkerGroup.BRIDGE_WRITE) -> None:
        self.app.run_worker(
            lambda: fn(*args), thread=True, group=group, exit_on_error=False,
            exclusive=group is WorkerGroup.BRIDGE_SCAN,
        )

    # ------------------------------------------------------------------ requests
    def scan(self) -> None:
        self._thread(self._scan, group=WorkerGroup.BRIDGE_SCAN)

    def _scan(self) -> None:
        from specui.bridge import pending_requests

        self.app.post_message(BridgeRequestsFound(pending_requests(self.project)))

    def found(self, requests: list[Any]) -> None:
        """On the event loop, once the panes are up: show the next question, or close the
        open one when its asker withdrew it."""
        waiting = {r.id for r in requests}
        screen = self.screen
        queued = [r for r in requests if r.id not in self.done_ids]
        if screen is not None:
            if screen.request_id not in waiting and screen.is_current:
                screen.withdraw()
            else:
                screen.set_waiting(len([r for r in queued if r.id != screen.request_id]))
            return
        if queued:
            self._ask(queued[0], waiting=len(queued) - 1)

    def _ask(self, request: Any, *, waiting: int = 0) -> None:
        from specui.ui.screens.bridge_question import BridgeQuestionScreen

        screen = BridgeQuestionScreen(request)
        screen.waiting = waiting
        self.screen = screen

        def done(answer: Any) -> None:
            self.screen = None
            self.done_ids.add(request.id)
            if screen.withdrawn:
                self.app.notify(
                    f"The question from {request.source} was withdrawn (timed out, "
                    "interrupted or answered elsewhere).",
                    severity="warning",
                    timeout=6,
                )
                self.scan()
                return
            self._thread(self._respond, request.id, request.source, answer)

        self.app.push_screen(screen, done)

    def _respond(self, request_id: str, source: str, answer: Any) -> None:
        """Write the answer (or the cancel: Esc) for the asker, then look for the next one."""
        from specui import bridge

        if answer is None:
            bridge.write_cancel(self.project, request_id)
        elif not bridge.write_answer(self.project, request_id, answer):
            self.app.call_from_thread(
                self.app.notify,
                f"Your answer was not delivered: the question from {source} was withdrawn.",
                severity="warning",
                timeout=8,
            )
        self.app.call_from_thread(self.scan)  # workers are started from the event loop

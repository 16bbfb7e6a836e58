"""The interview: the driver that applies the protocol (`specui.core.interview`) to engine
replies, records rounds in the session store and writes SPEC.md through `specui.spec_repo`;
the engines (builtin, codex, command) and the `.omx` artifact writer."""

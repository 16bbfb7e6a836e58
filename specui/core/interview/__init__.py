"""The deep-interview protocol (seeds 000 and 004) as pure code: the engine contract, the typed
protocol state and the policy that decides every turn. No I/O, no Textual."""

"""The pure core of specui: SPEC.md model, progress, open questions and other rules.

Nothing here touches the terminal, the network or child processes (see contracts.md).
"""

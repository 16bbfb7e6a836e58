"""Developer tools: sample project preparation (`make run`) and the README screenshot."""

"""Small, composable widgets of the workbench. Each one renders from the session snapshot it is
given and never mutates the store itself: intents go to the app as messages."""

"""The Textual workbench. Nothing heavy is imported here so `import specui.ui` stays cheap."""

"""The workbench's non-widget services: boot, file watching, the question-bridge inbox, themes,
the store fan-out and the typed worker groups every thread job runs under."""

"""Interviewer engines: the offline builtin interviewer and the protocol every engine follows."""

from specui.engines.base import Interviewer, make_interviewer

__all__ = ["Interviewer", "make_interviewer"]

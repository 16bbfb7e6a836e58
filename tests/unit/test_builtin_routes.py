"""Typed answers land in the bullet they are about (issue 10: "99.95% availability under
Performance, Prometheus under Logging"): a clause of an Other answer that is about another
bullet of the same section is written there, in the user's words."""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui.core.questions import Answer
from specui.core.spec import SpecDocument, item_value

SERVICE = (
    "A self-hosted JWKS cache service that survives the identity provider being down for an "
    "hour. Our API gateways fetch signing keys from it."
)


def bullets(project, unit: str) -> dict[str, str | None]:
    body = SpecDocument.parse(project.spec.read_text()).unit_text(unit)
    labels = {
        "nfr": ("Performance", "Reliability"),
        "observability": ("Logging", "Metrics", "Tracing"),
    }
    return {lb: item_value(body, lb) for lb in labels[unit]}


def test_availability_typed_for_the_load_goes_to_reliability(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path, profile="deep")
    drv.start()
    drv.answer(Answer(kind="text", value=SERVICE))
    answer_until(drv, store, "Which load should v1 be built for?", text="Keep it simple.")
    drv.answer(Answer(kind="other", value="50 requests per second and 99.95% availability"))
    nfr = bullets(project, "nfr")
    assert nfr["Performance"] == "50 requests per second"
    assert nfr["Reliability"] == "99.95% availability"


def test_prometheus_typed_for_observability_goes_to_metrics(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SERVICE))
    answer_until(drv, store, "How much observability does v1 need?", text="Keep it simple.")
    drv.answer(Answer(kind="other", value="JSON logs to stdout, Prometheus metrics and no tracing"))
    obs = bullets(project, "observability")
    assert obs["Logging"] == "JSON logs to stdout"
    assert obs["Metrics"] == "Prometheus metrics"
    assert obs["Tracing"] == "no tracing"

"""A newcomer's promise: the folders are the data flow. Imports point one way
(knowledge ← index ← bot.answering ← admin, front ends), front ends never import each other, and
the answering code needs no platform SDK. `python -m tests.architecture` prints the same check."""
from __future__ import annotations

from tests import architecture


def test_every_import_points_the_way_the_data_flows_and_none_goes_round_in_a_circle():
    assert [str(v) for v in architecture.violations()] == []


def test_every_module_belongs_to_a_part_of_the_house():
    unplaced = [m for m in architecture.modules() if architecture.part_of(m) is None and m not in architecture.PACKAGES]
    assert unplaced == []


def test_the_check_sees_a_wrong_way_import_and_a_circle():
    graph = {"knowledge.rules": {"bot.answering.engine"}, "bot.answering.engine": {"knowledge.rules"}}
    assert architecture.circles(graph) == [["bot.answering.engine", "knowledge.rules"]]
    assert architecture.layer_of(architecture.part_of("bot.slack.app")) == architecture.layer_of("bot.teams")
    assert architecture.layer_of("knowledge") < architecture.layer_of(architecture.part_of("bot.answering.engine"))

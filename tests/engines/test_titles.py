"""Titles and summaries: phrases and sentences of the theme's own comments, contrasted with the
other themes, the provision's wording discounted, no repeats.

Embeddings come from the HashingEmbedder fake (shared words -> similar vectors): enough to test
the selection rules; how well titles name themes with the real model is measured in
bench/bench_synthesis_quality.py.
"""

from __future__ import annotations

import re

import numpy as np

from app.embedding.engine import HashingEmbedder
from app.synthesis.phrases import candidate_phrases, phrase_pools
from app.synthesis.titles import (
    ThemeText,
    describe_themes,
    theme_summaries,
    theme_titles,
)

EMBED = HashingEmbedder().encode
DEADLINES = [
    "The reporting deadline for serious incidents is too short. Two days is not enough.",
    "A serious incident needs a longer reporting deadline, at least five working days.",
    "Extend the reporting deadline: serious incidents take time to understand.",
    "The reporting deadline should start when the provider confirms the serious incident.",
]
CONFIDENTIAL = [
    "Serious incident reports contain trade secrets. Confidentiality of reports must be kept.",
    "Confidentiality of reports matters: leaked serious incident details help attackers.",
    "We ask for confidentiality of reports shared with national authorities.",
    "Publishing serious incident reports would break the confidentiality of reports.",
]
BURDEN = [
    "The burden on small providers is too heavy for a serious incident process.",
    "Small providers cannot carry the burden on small providers of full incident reports.",
    "Reduce the burden on small providers with a short form.",
    "Templates would lower the burden on small providers.",
]
THEMES = [DEADLINES, CONFIDENTIAL, BURDEN]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_candidate_phrases_are_runs_of_content_words_and_joined_runs():
    phrases = candidate_phrases("We ask for a lower burden on small providers, please.")
    assert "burden on small providers" in phrases
    assert "small providers" in phrases
    assert not any(p.lower().startswith(("we", "please")) for p in phrases)


def test_candidate_phrases_do_not_end_on_an_adjective_or_participle():
    phrases = candidate_phrases("Remove opted-out works from existing datasets already scraped.")
    assert "existing datasets" in phrases
    assert not any(p.endswith(("existing", "scraped")) for p in phrases)


def test_candidate_phrases_hold_no_verb_of_their_clause():
    measures = candidate_phrases("The incident KPI counts whether every report was answered.")
    assert "incident KPI" in measures and not any("counts" in p for p in measures)
    omits = candidate_phrases("The public register omits the labs outside the Union.")
    assert "public register" in omits and not any("omits" in p for p in omits)
    covering = candidate_phrases("A hub page covering the fields; risk monitoring is costly.")
    assert "hub page" in covering and "risk monitoring" in covering
    assert not any("covering" in p for p in covering)
    added = candidate_phrases("Our registry added crawler opt-out flags last spring.")
    assert "crawler opt-out flags" in added and not any("added" in p for p in added)
    # a participle after a preposition, and a plural before "that", stay in their phrase
    kept = candidate_phrases("Risk of unexpected harm is high; duties that providers take.")
    assert "Risk of unexpected harm" in kept and "duties" in kept


def test_the_sender_a_campaign_letter_names_and_its_addressee_are_no_phrases_of_its_theme():
    letter = ("we ask the drafters that the deadline for reporting a breach of fundamental "
              "rights be cut to three days, and that the people affected be told.")
    senders = ["Open Rights League", "Baltic Privacy Forum", "Red Civica Digital"]
    campaign = [f"On behalf of the {sender}, {letter}" for sender in senders]
    others = ["Small firms need lighter documentation.", "Documentation is heavy for small firms."]
    pool = [p.text for p in phrase_pools([campaign, others])[0]]
    assert "fundamental rights" in pool
    assert not [p for p in pool if {"League", "Forum", "Civica"} & set(p.split())], pool
    assert "drafters" not in [p.lower() for p in pool]  # whom it asks, not what


def test_titles_are_phrases_of_the_theme_own_comments():
    titles = theme_titles(THEMES, EMBED)
    for title, texts in zip(titles, THEMES, strict=True):
        assert title
        for phrase in title.lower().split(" and "):  # one phrase, or two: "X and Y"
            assert any(phrase in text.lower() for text in texts)


def test_titles_name_what_sets_each_theme_apart():
    titles = [t.lower() for t in theme_titles(THEMES, EMBED)]
    assert "deadline" in titles[0]
    assert "confidentiality" in titles[1]
    assert "burden" in titles[2] or "small providers" in titles[2]


def test_titles_are_diverse_across_themes():
    twins = [DEADLINES, list(DEADLINES), BURDEN]
    titles = theme_titles(twins, EMBED)
    assert len({t.lower() for t in titles}) == 3


def test_the_provision_own_wording_is_discounted():
    # Every comment of the first theme uses two phrases as much: the title is one of them,
    # unless the provision itself speaks of it.
    echoed = [
        "The incident report rules need a deadline extension for everyone.",
        "A deadline extension is needed, the incident report takes time.",
        "Please grant a deadline extension for each incident report.",
        "Without a deadline extension no incident report will be complete.",
    ]
    plain = theme_titles([echoed, BURDEN], EMBED)
    discounted = theme_titles([echoed, BURDEN], EMBED, provision_texts=[plain[0]])
    assert plain[0].lower() in ("incident report", "deadline extension")
    assert discounted[0].lower() in ("incident report", "deadline extension")
    assert discounted[0] != plain[0]


def test_summary_sentences_come_from_the_theme_and_do_not_repeat():
    copies = CONFIDENTIAL + [CONFIDENTIAL[0]] * 6  # a campaign repeats its sentences
    (summary,) = theme_summaries([copies], EMBED)
    sentences = re.split(r"(?<=[.!?])\s+", summary)
    assert len(sentences) == 2
    assert len(set(sentences)) == 2
    assert all(any(s in text for text in copies) for s in sentences)


def test_one_sentence_summaries_when_asked():
    summaries = theme_summaries(THEMES, EMBED, sentences=1)
    assert all(len(re.split(r"(?<=[.!?])\s+", s)) == 1 for s in summaries)


def test_describe_themes_gives_a_title_and_a_summary_per_theme():
    found = describe_themes(THEMES, EMBED)
    assert len(found) == 3 and all(isinstance(item, ThemeText) for item in found)
    assert all(item.title and item.summary for item in found)


def test_a_theme_without_words_gets_empty_texts():
    found = describe_themes([DEADLINES, ["+1", "👍"]], EMBED)
    assert found[1] == ThemeText("", "")


def test_titles_are_deterministic():
    assert theme_titles(THEMES, EMBED) == theme_titles(THEMES, EMBED)


def test_a_mixed_theme_is_named_from_its_larger_group_not_the_space_between():
    # Six voices about one thing and four about another: the plain centre lies between the two
    # groups, where no comment is; the core the titles are scored against lies in the larger.
    from app.synthesis.titles import _centres, _cores

    rng = np.random.default_rng(0)
    larger, smaller = np.eye(8)[0], np.eye(8)[1]
    rows = np.stack([larger + 0.05 * rng.standard_normal(8) for _ in range(6)]
                    + [smaller + 0.05 * rng.standard_normal(8) for _ in range(4)])
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    members = [(rows, np.ones(10))]
    plain, (core,) = _centres(members)[0], _cores(members)
    assert plain @ larger < 0.9  # between the two
    assert core @ larger > 0.99 > core @ smaller + 0.9
    # A voice standing for many comments (a campaign) weighs as many: the group it joins wins.
    weighted = [(rows, np.array([1.0] * 6 + [4.0] * 4))]
    assert _cores(weighted)[0] @ smaller > 0.99


def test_the_core_of_a_small_or_one_group_theme_is_its_centre():
    from app.synthesis.titles import CORE_VOICES, _centres, _cores

    rng = np.random.default_rng(1)
    # A small theme of two groups (three voices and two): trimmed to its nearer half it would
    # move to the three; it keeps all its voices, so its core is its centre.
    two = np.stack([np.eye(8)[0]] * 3 + [np.eye(8)[1]] * 2) + 0.05 * rng.standard_normal((5, 8))
    two /= np.linalg.norm(two, axis=1, keepdims=True)
    assert len(two) == CORE_VOICES
    small = [(two, np.ones(CORE_VOICES))]
    assert np.allclose(_cores(small), _centres(small))
    rows = np.eye(8)[0] + 0.05 * rng.standard_normal((12, 8))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    one_group = [(rows, np.ones(12))]
    assert _cores(one_group)[0] @ _centres(one_group)[0] > 0.99


def test_a_summary_sentence_ends_before_a_word_in_lower_case_but_not_after_an_abbreviation():
    from app.synthesis.titles import _sentences

    text = ("The deadline is too short in practice. the measures taken so far are weak. See "
            "e.g. the annex, Art. 5 and the note by Dr. Smith. we agree!")
    assert _sentences(text) == [
        "The deadline is too short in practice.",
        "The measures taken so far are weak.",
        "See e.g. the annex, Art. 5 and the note by Dr. Smith.",
        "We agree!",
    ]
    # An abbreviation, a letter or "no" before a capital ends a sentence; an ellipsis before a
    # word in lower case does not; a word in mixed case keeps its case.
    assert _sentences("Fees, audits, etc. The Commission should act. Our answer is no. "
                      "Option B. It fails. eIDAS wallets are unclear... and costly to use.") == [
        "Fees, audits, etc.", "The Commission should act.", "Our answer is no.", "Option B.",
        "It fails.", "eIDAS wallets are unclear... and costly to use.",
    ]


def test_summary_sentences_whose_comment_left_them_open_end_in_a_full_stop() -> None:
    themes = [[
        "Categories ranked by volume",
        "Categories ranked by volume",
        "Does the list of the main categories include the rare ones?",
        "Does the list of the main categories include the rare ones?",
    ]]
    summary = theme_summaries(themes, EMBED)[0]
    assert summary.count(".") + summary.count("?") == 2, summary
    assert "volume. " in summary or summary.endswith("volume.")
    assert "volume Does" not in summary and "ones?." not in summary

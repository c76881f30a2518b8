"""Labels: c-TF-IDF keywords, readable labels, representatives, over-represented categories."""

from __future__ import annotations

import numpy as np
import pytest

from app.synthesis.labels import (
    ctfidf_keywords,
    label_from_keywords,
    over_represented,
    representatives,
    tokens,
)

DEADLINES = [
    "The reporting deadline is too short for serious incidents.",
    "Two days is too short; extend the reporting deadline.",
    "A longer reporting deadline would give better incident reports.",
]
CRAWLERS = [
    "Publish the names of web crawlers used for training.",
    "Web crawlers must identify themselves to site owners.",
    "A public list of web crawlers helps site owners block them.",
]


def test_keywords_are_words_frequent_in_the_theme_and_rare_elsewhere():
    deadline_words, crawler_words = ctfidf_keywords([DEADLINES, CRAWLERS], top_n=3)
    assert deadline_words[:2] == ["deadline", "reporting"]
    assert crawler_words[:2] == ["crawlers", "web"]


def test_keywords_leave_out_english_stop_words():
    (words,) = ctfidf_keywords([DEADLINES], top_n=20)
    assert not {"the", "is", "for", "too", "a"} & set(words)


def test_discounted_words_drop_below_the_theme_own_words():
    plain = ctfidf_keywords([DEADLINES, CRAWLERS], top_n=1)
    discounted = ctfidf_keywords([DEADLINES, CRAWLERS], top_n=1, discount={"Deadline", "web"})
    assert plain == [["deadline"], ["crawlers"]]
    assert discounted[0] == ["reporting"]


def test_keywords_of_an_empty_theme_are_empty():
    assert ctfidf_keywords([DEADLINES, []], top_n=3)[1] == []


def test_keywords_are_deterministic_under_ties():
    assert ctfidf_keywords([["beta alpha"], ["gamma"]], top_n=2) == [["alpha", "beta"], ["gamma"]]


def test_the_label_is_the_recurring_phrase_of_the_top_keywords():
    assert label_from_keywords(["reporting", "deadline"], DEADLINES) == "reporting deadline"


def test_without_a_recurring_phrase_the_label_joins_keywords():
    assert label_from_keywords(
        ["alpha", "beta", "gamma", "delta"], ["alpha beta", "gamma alpha"]
    ) == ("alpha, beta, gamma")


def test_no_keywords_give_an_empty_label():
    assert label_from_keywords([], DEADLINES) == ""


def test_tokens_are_lower_case_words_without_possessives():
    assert tokens("The provider's opt-out, 2 days!") == ["the", "provider", "opt-out", "days"]


def test_representatives_start_nearest_the_centre_and_skip_near_repeats():
    vectors = np.array([[0.96, 0.28, 0.0], [0.955, 0.297, 0.0], [0.9, -0.436, 0.0], [0, 0, 1.0]])
    centre = np.array([1.0, 0.0, 0.0])
    assert representatives(vectors, centre, k=2, diversity=0.3) == [0, 2]
    assert representatives(vectors, centre, k=2, diversity=0.0) == [0, 1]


def test_representatives_of_a_small_theme_are_all_its_rows():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert sorted(representatives(vectors, np.array([1.0, 1.0]), k=5)) == [0, 1]


def test_representatives_refuse_a_diversity_outside_zero_to_one():
    with pytest.raises(ValueError):
        representatives(np.eye(2), np.ones(2), diversity=1.5)


def test_over_represented_categories_exceed_their_scope_share():
    scope = {"sme": 10, "civil_society": 40, "gpai_provider": 50}
    theme = {"sme": 6, "civil_society": 4, "gpai_provider": 10}
    assert over_represented(theme, scope) == ["sme"]


def test_over_represented_needs_a_minimum_count():
    scope = {"sme": 10, "academia": 90}
    assert over_represented({"sme": 1, "academia": 1}, scope, min_count=2) == []


def test_over_represented_refuses_theme_counts_above_the_scope():
    with pytest.raises(ValueError):
        over_represented({"sme": 3}, {"sme": 2})


def test_a_few_comments_of_a_rare_category_are_not_over_represented_by_chance():
    scope = {"observer": 6, "civil_society": 60, "gpai_provider": 70}
    # 3 of 25 observers where 1.1 were expected: 2.7 times the share, but within chance.
    assert over_represented({"observer": 3, "civil_society": 12, "gpai_provider": 10},
                            scope) == []
    # 6 of 25 would be far above it.
    assert over_represented({"observer": 6, "civil_society": 10, "gpai_provider": 9},
                            scope) == ["observer"]

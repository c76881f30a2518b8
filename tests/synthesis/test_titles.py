"""Theme titles that name their theme as a chair would: noun phrases (never a verb or a dangling
adjective at either end), inflections merged, a campaign read as its many letters, the
provision's and the whole scope's wording discounted, two phrases joined only where a theme is
really two-sided, diverse across themes and deterministic.

Embeddings come from the HashingEmbedder fake (shared words -> similar vectors): enough to test
the selection rules; how well titles name themes with the real model is measured in
bench/bench_synthesis_quality.py.
"""

from __future__ import annotations

import pytest

from app.embedding.engine import HashingEmbedder, SentenceTransformerEmbedder
from app.synthesis.phrases import (
    candidate_phrases,
    phrase_pools,
    stems,
    word_spread,
    word_usage,
)
from app.synthesis.titles import describe_themes, theme_titles
from app.synthesis.voices import voice_groups

EMBED = HashingEmbedder().encode
DEADLINE = [
    "The reporting deadline is too short for serious incidents.",
    "A longer reporting deadline is needed, two days is not enough.",
    "Extend the reporting deadline to five working days.",
    "The reporting deadline should start when the incident is confirmed.",
]
BURDEN = [
    "The burden on small providers is too heavy.",
    "Small providers cannot carry this burden alone.",
    "Templates would lower the burden on small providers.",
    "A helpdesk would ease the burden for small providers.",
]
SPLIT = [  # half on grace periods, half on weekend reporting: one phrase covers too little
    "A grace period for late reports is needed.",
    "Give every provider a grace period after the first notice.",
    "A grace period protects honest providers.",
    "Weekend reporting is impossible for a small team.",
    "Nobody can do weekend reporting without on-call staff.",
    "Weekend reporting should wait until Monday.",
]


def parts(title: str) -> list[str]:
    return title.lower().split(" and ")


def test_a_plural_ends_a_phrase_so_a_verb_after_it_never_joins():
    phrases = candidate_phrases("Output filters catch reproductions of protected works.")
    assert "Output filters" in phrases
    assert not any("filters catch" in p for p in phrases)


def test_words_the_scope_uses_only_as_verbs_neither_start_nor_end_a_phrase():
    usage = word_usage(
        [
            "Efficiency should improve.",
            "We publish model weights.",
            "Inference efficiency improves.",
        ]
    )
    phrases = candidate_phrases("Inference efficiency improves.", usage=usage)
    assert "Inference efficiency" in phrases
    assert not any(p.endswith("improves") for p in phrases)
    commands = candidate_phrases("Publish model weights now.", usage=usage)
    assert "model weights" in commands
    assert not any(p.startswith("Publish") for p in commands)


def test_a_phrase_ends_on_no_possessive_participle_or_hyphenated_adjective():
    phrases = candidate_phrases("The AI Office's AI-specific rules for opted-out works.")
    assert not any(p.endswith(("Office's", "AI-specific")) for p in phrases)
    assert not any(p.startswith("opted-out") for p in phrases)
    assert "AI-specific rules" in phrases


def test_a_joined_phrase_ends_its_first_run_on_no_adjective():
    phrases = candidate_phrases("Criteria relevant to providers of open models.")
    assert not any(p.startswith("relevant") for p in phrases)
    assert "providers of open models" in phrases


def test_a_phrase_is_whole_only_where_its_noun_phrase_ends_and_on_a_noun():
    texts = [
        "Keep an archive of old versions for ten years.",
        "The archive of old versions must stay public.",
        "An archive of old versions helps auditors.",
        "The harm actually materialises later.",
        "Harm could materialise quickly.",
    ]
    (pool,) = phrase_pools([texts])
    whole = {p.key: p.headed for p in pool}
    assert whole["archive of old version"] and not whole.get("archive of old", False)
    assert not whole.get("harm actually materialise", False)


def test_a_name_written_with_capitals_inside_sentences_is_told_from_a_sentence_start():
    texts = [
        "We wrote to the AI Office twice.",
        "The AI Office should answer.",
        "Proportionality for small companies matters.",
        "Proportionality for small companies is missing.",
    ]
    (pool,) = phrase_pools([texts])
    proper = {p.key: p.proper for p in pool}
    assert proper["ai office"] and not proper["proportionality for small company"]


def test_inflections_are_one_phrase_written_as_most_often():
    texts = ["Small providers pay.", "Help small providers.", "A small provider pays twice."]
    (pool,) = phrase_pools([texts])
    phrase = next(p for p in pool if p.key == "small provider")
    assert phrase.text == "small providers" and phrase.support == 3  # "Small" starts a sentence


def test_a_campaign_is_read_once_and_weighs_as_many_comments_as_its_letters():
    letter = "As members of the alliance we ask for whistleblower protection in every company."
    texts = [letter] * 5 + ["Hello. " + letter, "Board expertise matters more."]
    assert [n for _, n in voice_groups(texts)] == [6, 1]
    (pool,) = phrase_pools([texts])
    assert next(p for p in pool if p.key == "whistleblower protection").support == 6


def test_words_every_theme_uses_are_the_scope_own_wording():
    spread = word_spread([["AI model deadline"], ["AI model burden"], ["AI model fees"]])
    assert spread["model"] == 1.0 and spread["deadline"] == 1 / 3


def test_titles_are_noun_phrases_of_the_theme_own_comments():
    for title, texts in zip(
        theme_titles([DEADLINE, BURDEN], EMBED), [DEADLINE, BURDEN], strict=True
    ):
        assert title and title[0].isupper()
        for phrase in parts(title):
            assert any(phrase in text.lower() for text in texts)
            assert phrase.split()[-1] not in {"small", "longer", "heavy", "alone"}


@pytest.mark.model
def test_two_phrases_make_the_title_of_a_theme_with_two_halves():
    embed = SentenceTransformerEmbedder().encode
    title, deadline, burden = theme_titles([SPLIT, DEADLINE, BURDEN], embed)
    first, second = parts(title)  # one phrase from each half, the second in lower case
    assert {"grace", "weekend"} == {first.split()[0], second.split()[0]}
    assert title.split(" and ")[1][0].islower()
    assert " and " not in deadline + burden  # one phrase is enough for a theme of one voice


@pytest.mark.model
def test_a_theme_with_one_small_side_keeps_one_phrase():
    embed = SentenceTransformerEmbedder().encode
    lopsided = [*SPLIT[:3], *(t.replace("grace period", "grace period again") for t in SPLIT[:3])]
    lopsided.append(SPLIT[3])  # one comment in seven on weekend reporting: not a side
    title, _, _ = theme_titles([lopsided, DEADLINE, BURDEN], embed)
    assert " and " not in title


@pytest.mark.model
def test_a_phrase_of_the_theme_wins_over_the_lone_word_it_stands_for():
    embed = SentenceTransformerEmbedder().encode
    categories = [
        "Synthetic data is one category, but it inherits where its source model's data came from.",
        "Which category do chats with users fall into? The category of data from users is broad.",
        "A category for recorded music and lyrics is missing; the examples are all text.",
        "Give the share of each category to the nearest five percent, or the figure means nothing.",
        "Is data generated by an earlier version of the same model a separate category?",
        "Scholarly articles hide in a category of data called public web content.",
    ]
    deadline = [
        "Two days to report a serious incident is not realistic for a small provider.",
        "The reporting deadline should run from awareness, not from the incident itself.",
        "Allow a first notice within three days and a full report within a month.",
        "Deadlines in working days, please: nobody is on call at weekends.",
    ]
    secrets = [
        "Publishing the share of each source reveals our data strategy to competitors.",
        "Trade secrets must stay out of the public summary.",
        "Ranges such as majority or minor would protect business secrets better than percentages.",
        "Competitors could rebuild our training recipe from the published figures.",
    ]
    provision = "The summary lists the main categories of training data and their rough share."
    titles = theme_titles([categories, deadline, secrets], embed, provision_texts=[provision])
    assert all(" " in title for title in titles), titles  # was "Deadline", "Competitors"


def test_the_two_phrases_of_a_title_share_no_word_stem():
    for title in theme_titles([SPLIT, DEADLINE, BURDEN], EMBED):
        if " and " in title:
            first, second = parts(title)
            assert not stems(first) & stems(second)


def test_the_phrase_that_sets_a_theme_apart_wins_over_one_shared_with_a_sibling():
    # "incident reports" is the first theme's most central phrase (every comment uses it, two
    # twice) and would be its title without the contrast with the other themes' centres; but
    # the second theme uses it as much: the title is what only the first theme says.
    deadline = [
        "Incident reports take time: the reporting deadline is too short for incident reports.",
        "Incident reports need a longer reporting deadline, incident reports are complex.",
        "Extend the reporting deadline so that incident reports are complete.",
        "Incident reports filed in haste are wrong; the reporting deadline should start later.",
    ]
    annex = [
        "Incident reports contain trade secrets; put them in a confidential annex.",
        "A confidential annex should hold the sensitive parts of incident reports.",
        "Incident reports must keep a confidential annex away from the public.",
        "Only a confidential annex protects incident reports from competitors.",
    ]
    titles = [t.lower() for t in theme_titles([deadline, annex, BURDEN], EMBED)]
    assert titles[0] == "reporting deadline" and titles[1] == "confidential annex"
    assert not any("incident report" in t for t in titles)


def test_titles_are_diverse_across_themes():
    titles = theme_titles([DEADLINE, list(DEADLINE), BURDEN], EMBED)
    keys = [set(parts(t)) for t in titles]
    assert all(not keys[i] & keys[j] for i in range(3) for j in range(i + 1, 3))


def test_the_provision_own_wording_is_discounted():
    # Every comment of the first theme uses two phrases as much: the title names the incident
    # report, unless the provision itself speaks of it.
    echoed = [
        "The incident report rules need a deadline extension for everyone.",
        "A deadline extension is needed, the incident report takes time.",
        "Please grant a deadline extension for each incident report.",
        "Without a deadline extension no incident report will be complete.",
    ]
    plain, _ = theme_titles([echoed, BURDEN], EMBED)
    provision = ["Signatories shall file an incident report."]
    discounted, _ = theme_titles([echoed, BURDEN], EMBED, provision_texts=provision)
    assert "incident report" in plain.lower()
    assert discounted.lower() == "deadline extension"


def test_titles_and_summaries_are_deterministic():
    themes = [SPLIT, DEADLINE, BURDEN]
    assert describe_themes(themes, EMBED) == describe_themes(themes, EMBED)


def test_a_lone_word_naming_the_consulted_text_is_no_candidate():
    # "this measure", "the code" name what is consulted on, in every theme alike: never a title
    # alone, though "security measures" still is one.
    phrases = candidate_phrases("We support this measure, but the code needs security measures.")
    assert "security measures" in phrases
    assert not {"measure", "code"} & {p.lower() for p in phrases}


def test_a_phrase_mostly_cut_before_the_noun_it_modifies_is_no_candidate():
    texts = [
        "We rent compute from large cloud providers without energy data.",
        "Our cloud provider gives no energy data.",
        "Only incidents of class three and four are serious.",
        "Incidents of class two need no report.",
        "The crawl data used must be filtered.",  # "used" ends no noun phrase: not cut
    ]
    (pool,) = phrase_pools([texts])
    keys = {p.key for p in pool}
    assert {"compute from large cloud provider", "cloud provider", "crawl data"} <= keys
    assert not {"compute from large cloud", "cloud", "incident of class", "class"} & keys


def test_a_run_starts_on_no_word_the_scope_writes_as_a_verb_there():
    usage = word_usage(
        [
            "Which method should be used to estimate energy consumption?",
            "An estimate of the energy consumption is enough.",
            "Known or estimated energy consumption should be reported.",
            "Access to information is missing.",
            "The information is late.",
        ]
    )
    phrases = candidate_phrases("We need to estimate energy consumption first.", usage=usage)
    assert "energy consumption" in phrases
    assert not any(p.lower().startswith("estimate") for p in phrases)
    assert "information" in candidate_phrases("Access to information.", usage=usage)
    inflected = word_usage(["Incidents are classified late.", "Providers classify incidents."])
    assert candidate_phrases("Providers classify incidents.", usage=inflected) == [
        "Providers",
        "incidents",
    ]
    # Never a noun in the scope, right after a plural that can be its subject: a verb.
    subject = word_usage(["Providers classify incidents.", "The incidents are many."])
    assert candidate_phrases("Providers classify incidents.", usage=subject) == [
        "Providers",
        "incidents",
    ]


def test_a_word_the_scope_writes_as_a_verb_starts_no_run_after_not():
    usage = word_usage(
        [
            "Models that do not change between releases need no new documentation.",
            "Any change of the model is documented; the model changed twice.",
            "Count compute, not parameter count, as the parameter count misleads.",
        ]
    )
    found = candidate_phrases("Models that do not change between releases.", usage=usage)
    assert "releases" in found
    assert not any(p.lower().startswith("change") for p in found)
    # A noun the scope never writes as a verb stays a phrase after "not".
    assert "parameter count" in candidate_phrases("Compute, not parameter count.", usage=usage)


def test_a_word_the_scope_writes_as_a_verb_starts_no_run_after_a_plural_subject():
    usage = word_usage(
        [
            "Vendors can help providers estimate energy from device telemetry.",
            "An estimate of energy per query is enough; we estimated ours from GPU-hours.",
        ]
    )
    found = candidate_phrases(
        "Vendors can help providers estimate energy from device telemetry.", usage=usage
    )
    assert "energy from device telemetry" in found
    assert not any(p.lower().startswith("estimate") for p in found)
    assert "estimate of energy" in candidate_phrases("An estimate of energy.", usage=usage)


def test_a_name_most_themes_mention_is_no_candidate_but_one_theme_own_name_is():
    themes = [
        ["The AI Office should set the threshold.", "Ask the AI Office about the threshold."],
        ["The AI Office must keep reports secret.", "Secret reports help the AI Office."],
        ["The Union Directive protects whistleblowers.", "We need the Union Directive."],
    ]
    pools = phrase_pools(themes)
    assert not any(p.key == "ai office" for pool in pools for p in pool)
    assert any(p.key == "union directive" and p.proper for p in pools[2])


def test_a_name_most_themes_mention_stays_a_candidate_of_the_theme_that_is_about_it():
    office = [
        "The AI Office needs a direct line to staff.",
        "Let staff write to the AI Office directly.",
        "The AI Office should hear whistleblowers.",
        "Reports reach the AI Office too late.",
    ]
    themes = [
        office,
        ["Deadlines are short.", "Deadlines should be longer.", "The AI Office sets deadlines.",
         "Deadlines run in working days.", "Give longer deadlines.", "Deadlines are unclear."],
        ["Secret reports leak.", "Keep reports secret.", "Secret reports for the AI Office.",
         "Secret means secret.", "Keep it secret.", "Secret reports matter."],
    ]
    pools = phrase_pools(themes)
    assert any(p.key == "ai office" for p in pools[0])
    assert not any(p.key == "ai office" for pool in pools[1:] for p in pool)
    # As often in a second theme: no theme's own.
    pools = phrase_pools([office, [*office[:2], "Deadlines are short.", "Deadlines again."]])
    assert not any(p.key == "ai office" for pool in pools for p in pool)


def test_a_verb_in_ing_after_is_or_are_starts_no_candidate_but_a_gerund_subject_does():
    text = "Several jurisdictions are converging on model documentation templates."
    found = candidate_phrases(text, usage=word_usage([text]))
    assert "model documentation templates" in found
    assert not [p for p in found if "converging" in p], found
    text = "Testing for bias is missing. The reporting is slow, reporting is late."
    found = candidate_phrases(text, usage=word_usage([text]))
    assert "Testing for bias" in found and "reporting" in found


def test_a_campaign_weighs_as_its_letters_in_shared_phrases_not_in_one_sender_name():
    template = ("writing as {}, we ask that the opt-out register covers every crawler operated "
                "for model training, with the register published in full.")
    senders = ["a composer", "a poet", "a photographer", "an illustrator", "a novelist"]
    letters = [template.format(f"{who} from Harbour Town") if i == 0 else template.format(who)
               for i, who in enumerate(senders)]
    (pool,) = phrase_pools([[*letters, "Crawlers ignore the register."]])
    support = {p.key: p.support for p in pool}
    assert support["opt-out register"] == 5  # every letter
    assert support.get("harbour town", 1) == 1  # the first letter's own words


def test_quotation_marks_end_a_candidate_phrase_and_no_candidate_keeps_one():
    text = ("The 'without prejudice' clause protects developing common standards' work; "
            "the ‘opt-out’ register stays, and the provider's duty too.")
    found = candidate_phrases(text)
    assert "common standards" in found and "register" in found
    assert not [p for p in found if p[0] in "'‘’" or p[-1] in "'‘’"], found
    assert not [p for p in found if "prejudice" in p and "clause" in p], found


def test_on_behalf_of_is_no_part_of_a_candidate():
    found = candidate_phrases("On behalf of independent publishers, we want a register.")
    assert "independent publishers" in found
    assert not [p for p in found if "behalf" in p.lower()], found


def test_a_phrase_ends_on_no_adjective_known_by_its_ending_but_a_noun_so_ending_may():
    found = candidate_phrases("Refusal behaviour appropriate for children and a reasonable "
                              "timetable, not dangerous outputs or measures too costly.")
    assert "Refusal behaviour" in found and "reasonable timetable" in found
    assert not [p for p in found if p.lower().endswith(("appropriate", "reasonable",
                                                         "dangerous", "costly"))], found
    assert "dangerous outputs" in found


def test_a_phrase_ends_on_no_filler_verb_in_ing_but_may_start_on_one():
    found = candidate_phrases("A direct line allowing staff to report, and existing datasets.")
    assert "direct line" in found and "existing datasets" in found
    assert not [p for p in found if p.endswith("allowing")], found


def test_a_lone_word_naming_a_part_of_the_consulted_text_is_no_candidate():
    found = candidate_phrases("The final sentence of the recital and the annex, and each KPI.")
    assert "final sentence" in found
    assert not {"sentence", "recital", "annex", "kpi"} & {p.lower() for p in found}, found


def test_the_verb_of_a_question_with_a_named_subject_is_no_part_of_a_phrase():
    found = candidate_phrases("How will the AI Office verify compliance with these rules?")
    assert "AI Office" in found and "compliance" in found
    assert not [p for p in found if "verify" in p], found
    # A name after the auxiliary is not needed for a phrase without a question.
    assert "AI Office guidance" in candidate_phrases("The AI Office guidance will help.")


def test_a_plural_inside_a_name_does_not_end_the_phrase():
    texts = ["On behalf of Digital Rights Watch Europe, we ask for more.",
             "Digital Rights Watch Europe supports the aim."]
    assert "Digital Rights Watch Europe" in candidate_phrases(texts[0])
    (pool,) = phrase_pools([texts])
    keys = {p.key for p in pool}
    assert "digital right watch europe" in keys and "digital right" not in keys, keys


def test_the_first_of_two_modifiers_sharing_a_noun_is_not_a_whole_phrase():
    texts = ["A reservation of rights for text and data mining must be respected.",
             "Rights for text and data mining need a machine-readable signal.",
             "Separate tokens for search and training crawlers help.",
             "Tokens for search and training crawlers are simple."]
    (pool,) = phrase_pools([texts])
    keys = {p.key for p in pool}
    assert "data mining" in keys and "training crawler" in keys, keys
    assert not {"right for text", "token for search", "text", "search"} & keys, keys
    # Before a single word after "and" each stays whole: "transparency and accountability".
    (plain,) = phrase_pools([["Transparency and accountability matter.",
                              "We want transparency and accountability."]])
    assert {"transparency", "accountability"} <= {p.key for p in plain}

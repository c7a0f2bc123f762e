"""The paraphrase corpus (tests/paraphrases/, written blind to the models from how patients
describe these signs) through the project's own NLU, per locale: every red-flag report placed
(the model's phrases or the keyword backstop), and the overall share at its measured floor.
The figures are in benchmarks/RESULTS.md."""
import pytest

from skill.content.loader import available_locales
from skill.language.paraphrases import Tally, score

# Issue 12's target: 95% of the corpus placed right, in every language.
OVERALL_TARGET = 0.95


@pytest.fixture(scope="module", params=available_locales())
def tallies(request):
    return request.param, score(request.param)


def test_every_red_flag_report_is_placed(tallies):
    locale, found = tallies
    red_flags = found[("red_flags",)]
    assert red_flags.right == red_flags.total, red_flags.wrong


def test_plain_denials_naming_a_sign_are_noes(tallies):
    locale, found = tallies
    denials = found.get(("denials_naming_a_sign",), Tally())
    assert denials.share >= 0.95, denials.wrong


def test_the_overall_share_meets_the_target(tallies):
    locale, found = tallies
    overall = found[("all",)]
    assert overall.share >= OVERALL_TARGET, (overall.share, overall.wrong)

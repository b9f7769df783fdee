import pytest

from nlp.language import detect_language
from nlp.speakers import GroupDetector, GroupReference

ALIASES = {"EU": "EU", "European Union": "EU", "Non-Aligned Movement": "NAM", "NAM": "NAM",
           "African Group": "AFRICAN_GROUP", "Groupe africain": "AFRICAN_GROUP",
           "Grupo Africano": "AFRICAN_GROUP", "ASEAN": "ASEAN"}


@pytest.fixture(scope="module")
def detector():
    return GroupDetector(ALIASES)


@pytest.mark.parametrize(("text", "on_behalf", "aligned"), [
    ("Thank you, Chair.\n\nI have the honour to speak on behalf of the Non-Aligned Movement.",
     "NAM", ""),
    ("Thank you.\n\nKenya aligns itself with the statement delivered on behalf of the African "
     "Group, and adds the following in its national capacity.", "", "AFRICAN_GROUP"),
    ("Chair,\n\nIn addition to the statement delivered by the European Union, we add a few "
     "points.", "", "EU"),
    ("Having spoken yesterday on behalf of ASEAN, Indonesia now takes the floor in its national "
     "capacity.", "", "ASEAN"),
    ("Merci.\n\nJ'ai l'honneur de prendre la parole au nom du Groupe africain.", "AFRICAN_GROUP",
     ""),
    ("Gracias.\n\nEn nombre del Grupo Africano, quisiera señalar lo siguiente.", "AFRICAN_GROUP",
     ""),
    ("Thank you, Chair. Capacity building is our priority and the EU is a partner.", "", ""),
])
def test_group_references_in_the_opening(detector, text, on_behalf, aligned):
    found = detector.detect(text)
    assert (found.on_behalf_of, found.aligned_with) == (on_behalf, aligned)


@pytest.mark.parametrize("text", [
    # a country's name that contains a group code in another case is no group reference
    "May I, on behalf of the Government and people of Viet Nam, congratulate you, Sir.",
    "On behalf of my delegation, I thank the eu for its support.",
])
def test_codes_match_only_as_written(detector, text):
    assert detector.detect(text) == GroupReference()


def test_codes_as_written_and_names_in_any_case(detector):
    assert detector.detect("I speak on behalf of NAM.").on_behalf_of == "NAM"
    assert detector.detect("I speak on behalf of the non-aligned movement.").on_behalf_of == "NAM"


def test_only_the_opening_is_read(detector):
    text = "\n\n".join(["Capacity building."] * 3 + ["We speak on behalf of the EU."])
    assert detector.detect(text).on_behalf_of == ""


@pytest.mark.parametrize(("text", "code"), [
    ("The protection of critical infrastructure is a shared responsibility of all states.", "en"),
    ("La protection des infrastructures critiques est une responsabilité partagée.", "fr"),
    ("La protección de la infraestructura crítica es una responsabilidad compartida.", "es"),
    ("Защита критической инфраструктуры является общей ответственностью государств.", "ru"),
    ("保护关键基础设施是各国的共同责任。", "zh"),
    ("حماية البنية التحتية الحيوية مسؤولية مشتركة بين الدول.", "ar"),
    ("", ""),
])
def test_language_detection(text, code):
    assert detect_language(text) == code

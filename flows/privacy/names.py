"""Finding people's names in a text, in any case or spacing, without taking a school, service or place for one.

A name is a first name from data/first_names.txt (any case: "sarah", "SARAH", "Sarah's"), a title with a word
("Mrs Jones", "dr patel"), or an Irish or Scottish surname form ("O'Brien", "McKenzie"). Words that are names and
everyday words too ("Will", "Grace", "Mark") count only when written as a name: capitalised inside a sentence, after
a title, or before a surname. Before looking, the names of places and organisations are taken out: the deployment's
protected names ("Amazing Futures"), "St" with the next word ("St Mary's"), known local places ("Hove"), and the
capitalised words before a place word ("Hove Park School", "Lewes Road Surgery", "Brighton General").
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?:;\n•\-–—]\s*$")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "mister"})
# A title that is also an everyday word counts only before a capitalised word ("did not miss meetings").
EVERYDAY_TITLES = frozenset({"miss", "lady", "lord", "sir", "dame"})
SURNAME_FORM = re.compile(r"^(?:O['’]|Mc|Mac)[A-Z][a-z]{2,}$")
NOT_SURNAMES = frozenset({"mcdonald's", "mcdonalds", "macmillan"})

# Names that are everyday words as well: a name only when written as one.
EVERYDAY_NAMES = frozenset(
    """will mark grace hope joy faith rose amber crystal sky storm jack bill pat sue max guy ray frank rob don art
    sandy chase hunter penny carol sunny miles robin rowan fern violet drew gene grant cliff brook destiny harmony
    honey ginger star angel liberty dale summer dawn""".split()
)
# Months, seasons and feasts that are names too: only after a title ("Mrs May").
CALENDAR_NAMES = frozenset({"may", "april", "june", "august", "autumn", "eve", "noel", "christmas", "easter"})

# Words that make the capitalised words before them a place or an organisation, not a person.
PLACE_WORDS = frozenset(
    """school schools academy college university uni surgery practice hospital general clinic centre center park
    road street lane avenue way close drive church chapel library hall house club trust council foundation
    service services team forum nursery primary infants juniors federation pharmacy gardens green common station
    market theatre museum cafe café leisure pool studio hub project group charity society association network
    partnership unit ward hospice institute campus estate village town city beach pier square hill fields
    community camhs nhs cic ltd limited mosque temple synagogue gurdwara scouts guides brownies cubs""".split()
)
# Places around the organisation's groups whose names are also first names, or are often next to one.
LOCAL_PLACES = frozenset(
    """brighton hove lewes eastbourne hastings worthing crawley seaford newhaven peacehaven uckfield crowborough
    bexhill rye shoreham portslade rottingdean saltdean whitehawk moulsecoomb hollingbury patcham kemptown
    preston withdean falmer hangleton westdene woodingdean bevendean coldean hailsham heathfield battle polegate
    sussex""".split()
)
SAINTS = frozenset({"st", "saint", "st.", "ss"})
# Common words never taken as part of a place's name ("the school", "a park").
FUNCTION_WORDS = frozenset(
    """a an the this that these those his her their our my your its to at in on of for from with by and or but
    about near into outside inside after before during local new old same""".split()
)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    text = resources.files("flows.privacy").joinpath("data/first_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def has_person_name(text: str, not_names: Iterable[str] = ()) -> bool:
    text = _without_phrases(text, not_names)
    words = [(m.group(), m.start()) for m in WORD.finditer(text)]
    shouting = not any(c.islower() for c in text)
    places = _place_words(words, shouting)
    for i, (word, start) in enumerate(words):
        if i in places:
            continue
        bare = _bare(word)
        previous = _bare(words[i - 1][0]) if i else ""
        after_title = previous in TITLES and (i - 1) not in places and (
            previous not in EVERYDAY_TITLES or _capitalised(words[i - 1][0])
        )
        if after_title and bare not in FUNCTION_WORDS and (_capitalised(word) or previous not in EVERYDAY_TITLES):
            return True
        if word[0].isupper() and SURNAME_FORM.match(word.rstrip("s").rstrip("'’")) and bare not in NOT_SURNAMES:
            return True
        if bare in CALENDAR_NAMES or bare not in first_names() | EVERYDAY_NAMES:
            continue
        if bare not in EVERYDAY_NAMES:
            return True
        if shouting:
            continue
        starts_sentence = i == 0 or bool(SENTENCE_END.search(text[: start]))
        following = words[i + 1][0] if i + 1 < len(words) and (i + 1) not in places else ""
        surname_next = bool(following) and _capitalised(following) and _bare(following) not in FUNCTION_WORDS
        possessive = bare != word.lower()
        if _capitalised(word) and (not starts_sentence or surname_next or possessive):
            return True
    return False


def _place_words(words: list[tuple[str, int]], shouting: bool) -> set[int]:
    """Indexes of words that belong to a place's or an organisation's name."""
    places: set[int] = set()
    for i, (word, _) in enumerate(words):
        bare = _bare(word)
        if bare in LOCAL_PLACES:
            places.add(i)
        if bare in SAINTS and i + 1 < len(words):
            places.update({i, i + 1})
        if bare in PLACE_WORDS and (word[0].isupper() or shouting):
            places.add(i)
            j = i - 1
            while j >= 0 and i - j <= 3 and words[j][0][0].isupper() and _bare(words[j][0]) not in FUNCTION_WORDS:
                places.add(j)
                j -= 1
    return places


def _without_phrases(text: str, phrases: Iterable[str]) -> str:
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        text = re.sub(r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"\b", " ; ", text, flags=re.I)
    return text


def _bare(word: str) -> str:
    """The word without a possessive: "Sarah's" -> "sarah"."""
    return re.sub(r"['’]s$", "", word.lower())


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])

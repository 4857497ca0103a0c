"""The one rendering of every outcome: consecutive texts joined into one
message, then discreet mode's cover line (see :mod:`bot.core.render`)."""

from __future__ import annotations

from datetime import date

from bot.core.dialog.graph import DialogGraph
from bot.core.messages import Button, OpenMenu, Outcome, ProgressChart, Reply, Start
from bot.core.render import MAX_JOINED, join, render, utf16_len

MENU = Button("Menu", OpenMenu())
AGAIN = Button("Again", Start())
CHART = ProgressChart(date(2024, 1, 8), 2, (), (), "Mood", "Promises", "kept", "partly", "missed")


def _render(graph: DialogGraph, *replies: Reply, discreet: bool = False) -> tuple[Reply, ...]:
    return render(Outcome(replies=replies), graph.ui, discreet=discreet).replies


def test_consecutive_texts_are_one_message_a_blank_line_apart(min_graph: DialogGraph) -> None:
    got = _render(min_graph, Reply("One."), Reply("Two."), Reply("Three.", (MENU,)))
    assert got == (Reply("One.\n\nTwo.\n\nThree.", (MENU,)),)


def test_nothing_to_join_is_left_as_it_is(min_graph: DialogGraph) -> None:
    assert _render(min_graph) == ()
    assert _render(min_graph, Reply("Alone.", (MENU,))) == (Reply("Alone.", (MENU,)),)


def test_buttons_end_a_message_and_stay_under_their_own_text(min_graph: DialogGraph) -> None:
    got = _render(min_graph, Reply("Pick one.", (AGAIN,)), Reply("Or later."), Reply("Menu here.", (MENU,)))
    assert got == (Reply("Pick one.", (AGAIN,)), Reply("Or later.\n\nMenu here.", (MENU,)))
    # Buttons are only ever on the last text of a joined message.
    assert _render(min_graph, Reply("First.", (AGAIN,)), Reply("Second.", (MENU,))) == (
        Reply("First.", (AGAIN,)), Reply("Second.", (MENU,)))


def test_documents_images_and_charts_are_never_joined_and_keep_their_place(min_graph: DialogGraph) -> None:
    document = Reply("Your data.", document=("data.json", b"{}"))
    image = Reply("Your week.", image=b"png")
    chart = Reply("Your month.", chart=CHART)
    got = _render(min_graph, Reply("a"), document, Reply("b"), Reply("c"), image, chart, Reply("d"),
                  Reply("e", (MENU,)))
    assert got == (Reply("a"), document, Reply("b\n\nc"), image, chart, Reply("d\n\ne", (MENU,)))


def test_a_join_never_passes_telegrams_limit(min_graph: DialogGraph) -> None:
    half = "x" * (MAX_JOINED // 2 - 1)  # two of these, a blank line apart, fit exactly
    assert _render(min_graph, Reply(half), Reply(half)) == (Reply(f"{half}\n\n{half}"),)
    assert utf16_len(f"{half}\n\n{half}") == MAX_JOINED
    assert _render(min_graph, Reply(half), Reply(half + "x")) == (Reply(half), Reply(half + "x"))
    # A long text stays whole (the limit only stops joining), and the next text starts anew.
    long = "y" * MAX_JOINED
    assert _render(min_graph, Reply("a"), Reply(long), Reply("b"), Reply("c")) == (
        Reply("a"), Reply(long), Reply("b\n\nc"))


def test_the_limit_counts_utf16_code_units_as_telegram_does() -> None:
    assert utf16_len("🙂") == 2 and utf16_len("é") == 1
    smiles = "🙂" * (MAX_JOINED // 2)  # MAX_JOINED/2 characters, MAX_JOINED units
    assert len(smiles) + 2 + 1 < MAX_JOINED  # counting characters, they would fit
    assert join((Reply(smiles), Reply("z"))) == (Reply(smiles), Reply("z"))
    assert join((Reply("a" * 10), Reply("b" * 10)), limit=22) == (Reply("a" * 10 + "\n\n" + "b" * 10),)
    assert join((Reply("a" * 10), Reply("b" * 10)), limit=21) == (Reply("a" * 10), Reply("b" * 10))


def test_discreet_a_joined_message_has_one_cover_line_at_its_top(min_graph: DialogGraph) -> None:
    line = min_graph.ui.discreet_line
    got = _render(min_graph, Reply("One."), Reply("Two.", (MENU,)), Reply("Three."), discreet=True)
    assert got == (
        Reply(f"{line}\n\nOne.\n\nTwo.", (MENU,), discreet=True),
        Reply(f"{line}\n\nThree.", discreet=True),
    )
    assert all(r.text.count(line) == 1 for r in got)


def test_discreet_the_cover_line_counts_towards_the_limit(min_graph: DialogGraph) -> None:
    cover = utf16_len(min_graph.ui.discreet_line) + 2
    half = "x" * (MAX_JOINED // 2 - 1)  # would join without the cover line
    got = _render(min_graph, Reply(half), Reply(half), discreet=True)
    assert len(got) == 2 and all(r.discreet for r in got)
    fits = "x" * ((MAX_JOINED - cover) // 2 - 1)
    (joined,) = _render(min_graph, Reply(fits), Reply(fits), discreet=True)
    assert utf16_len(joined.text) <= MAX_JOINED


def test_replies_rendered_already_are_not_joined_again(min_graph: DialogGraph) -> None:
    once = _render(min_graph, Reply("One.", (MENU,)), Reply("Two."), discreet=True)
    assert join(once) == once

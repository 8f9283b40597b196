from django.urls import reverse

from core.links import reverse_each


def test_reverse_each_gives_the_addresses_of_reverse():
    answer = reverse_each("matching:employer_answer", 12)
    kit = reverse_each("matching:kit")
    for match_id in (1, 12, 345, 987_654_321):
        assert answer(match_id) == reverse("matching:employer_answer", args=[12, match_id])
        assert kit(match_id) == reverse("matching:kit", args=[match_id])

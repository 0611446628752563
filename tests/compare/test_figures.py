"""compare.figures: what a figure's header says about the seeds behind its curves."""
from compare.figures import _dropout_note


def _result(**seeds_per_variant):
    return {"runs": {v: {"dropout": True, "seeds": [{}] * k} for v, k in seeds_per_variant.items()}}


def test_dropout_note_names_each_variants_seeds_when_they_differ():
    result = _result(sgd=1, adam=3)
    assert _dropout_note(result, {"sgd", "adam"}).endswith("mean ± std over each variant's seeds (adam 3, sgd 1)")
    assert _dropout_note(result, {"adam"}).endswith("mean ± std over 3 seeds each")
    assert "one seed each" in _dropout_note(result, {"sgd"})
    assert _dropout_note({"runs": {"plain": {"dropout": False, "seeds": [{}]}}}, {"plain"}) == ""


def test_seeds_stopped_early_are_left_out_of_the_curves():
    from compare.figures import _series
    seeds = [{"epochs_done": 3, "histories": {"minidl": {"acc": [0.1, 0.2, 0.3]}}},
             {"epochs_done": 1, "histories": {"minidl": {"acc": [0.5]}}},
             {"epochs_done": 3, "histories": {"minidl": {"acc": [0.3, 0.4, 0.5]}}}]
    result = {"runs": {"v": {"dropout": True, "seeds": seeds}}}
    assert _series(result, ("v",), "minidl", "acc").tolist() == [[0.1, 0.2, 0.3], [0.3, 0.4, 0.5]]
    assert _dropout_note(result, {"v"}).endswith("over 2 seeds each")

import pytest

from fashionai_format import schema


def test_counts_match_the_competition():
    assert schema.NUM_KEYPOINTS == 24
    assert len(schema.CSV_HEADER) == 26
    counts = {c: len(v) for c, v in schema.CATEGORY_KEYPOINTS.items()}
    assert counts == dict(blouse=13, outwear=14, dress=15, skirt=4,
                          trousers=7)


def test_swap_is_an_involution_within_each_category():
    for cat in schema.CATEGORIES:
        names = schema.category_keypoint_names(cat)
        for n in names:
            assert schema.swap_name(schema.swap_name(n)) == n
            assert schema.swap_name(n) in names
    assert schema.swap_name('cuff_left_in') == 'cuff_right_in'
    assert schema.swap_name('crotch') == 'crotch'


def test_norm_pairs():
    assert schema.norm_pair_indices('blouse') == (5, 6)
    assert schema.norm_pair_indices('skirt') == (15, 16)


def test_category_typo_names_the_fix():
    with pytest.raises(ValueError, match="Did you mean 'trousers'"):
        schema.check_category('trouser')


def test_keypoint_indices_by_name():
    for cat in schema.CATEGORIES:
        names = schema.category_keypoint_names(cat)
        assert schema.keypoint_indices(names) == \
            schema.CATEGORY_KEYPOINTS[cat]
        # MMPose's keypoint_id2name gives the same
        id2name = dict(enumerate(names))
        assert schema.keypoint_indices(id2name) == \
            schema.CATEGORY_KEYPOINTS[cat]
    assert schema.keypoint_indices(schema.KEYPOINT_NAMES) == tuple(range(24))
    assert schema.keypoint_indices(['crotch', 'neckline_left']) == (19, 0)
    with pytest.raises(ValueError, match=r"model keypoints \['nose'\] are "
                       'not FashionAI keypoints'):
        schema.keypoint_indices(['crotch', 'nose'], source='model keypoints')

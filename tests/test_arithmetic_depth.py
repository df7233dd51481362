"""Depth as the longest path of counted layers (course_lib.arithmetic.depth)."""

import keras
import pytest

from course_lib.arithmetic.depth import has_weights_to_count, is_pooling, longest_path


def branchy():
    """Input -> conv -> [conv -> conv | pool -> conv] -> concat -> pool -> dense,
    with a second output after the first convolution."""
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="c1")(inputs)
    long = keras.layers.Conv2D(4, 1, name="long_a")(x)
    long = keras.layers.BatchNormalization(name="long_bn")(long)
    long = keras.layers.Conv2D(4, 3, padding="same", name="long_b")(long)
    short = keras.layers.MaxPooling2D(3, 1, padding="same", name="short_pool")(x)
    short = keras.layers.Conv2D(4, 1, name="short_proj")(short)
    x = keras.layers.Concatenate(name="concat")([short, long])
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    main = keras.layers.Dense(2, name="main")(x)
    side = keras.layers.Dense(2, name="side")(keras.layers.Flatten(name="f")(inputs))
    return keras.Model(inputs, [main, side])


def test_the_longest_branch_is_followed_and_batch_norm_is_not_counted():
    assert longest_path(branchy()) == ["c1", "long_a", "long_b", "main"]


def test_poolings_can_be_counted_and_ties_keep_the_first_branch():
    def counted(layer):
        return has_weights_to_count(layer) or is_pooling(layer)

    # Both branches now count 2 after c1; the first in the model's order is kept.
    path = longest_path(branchy(), counted)
    assert len(path) == 5 and path[0] == "c1" and path[-2:] == ["gap", "main"]


def test_another_output_can_be_chosen():
    assert longest_path(branchy(), output="side") == ["side"]


def test_a_sequential_model_counts_its_weighted_layers():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ]
    )
    assert len(longest_path(model)) == 2


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="counted"):
        longest_path(branchy(), counted=3)
    with pytest.raises(ValueError, match="outputs"):
        longest_path(branchy(), output="nope")

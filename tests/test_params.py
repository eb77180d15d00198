import numpy as np
import pytest

from bpnn import BpnnError, Network
from bpnn.model.params import init_weights, layer_shapes, pack, sizes_of

DEPTHS = [[400, 25, 10], [1024, 16, 16, 10], [3, 5, 3], [2, 1]]


@pytest.mark.parametrize("sizes", DEPTHS)
def test_pack_unpack_round_trip(sizes):
    rng = np.random.default_rng(1)
    thetas = [rng.standard_normal((b, a + 1)) for a, b in zip(sizes[:-1], sizes[1:])]
    theta = pack(thetas)
    assert theta.shape == (sum(t.size for t in thetas),) == (Network(sizes).n_params,)
    back = Network(sizes).unpack(theta)
    assert [t.shape for t in back] == layer_shapes(sizes) == [(b, a + 1) for a, b in zip(sizes[:-1], sizes[1:])]
    for original, restored in zip(thetas, back):
        np.testing.assert_array_equal(original, restored)
    assert sizes_of(back) == sizes


def test_pack_order_is_each_matrix_in_c_order():
    T1 = np.arange(6.0).reshape(2, 3)
    T2 = np.arange(6.0, 9.0).reshape(1, 3)
    np.testing.assert_array_equal(pack([T1, T2]), [0, 1, 2, 3, 4, 5, 6, 7, 8])


def test_unpack_returns_views_not_copies():
    sizes = [4, 3, 2]
    theta = np.zeros(Network(sizes).n_params)
    T1, T2 = Network(sizes).unpack(theta)
    assert np.shares_memory(T1, theta) and np.shares_memory(T2, theta)
    T2[1, 0] = 7.0  # bias of the second output unit
    assert theta[3 * 5 + 1 * 4] == 7.0


@pytest.mark.parametrize("bad", [np.zeros(10), np.zeros(24), np.zeros((23, 1)), np.zeros((2, 23))])
def test_unpack_wrong_length_names_expected_length(bad):
    with pytest.raises(BpnnError, match="23 numbers"):
        Network([4, 3, 2]).unpack(bad)


@pytest.mark.parametrize("sizes", [[4], [4, 0, 2], [4, -1, 2], [4, 2.5, 2], "abc", None])
def test_bad_layer_sizes(sizes):
    with pytest.raises(BpnnError, match="layer sizes"):
        Network(sizes).n_params


def test_pack_rejects_matrices_that_do_not_chain():
    with pytest.raises(BpnnError, match="Theta2 has 5 columns"):
        pack([np.zeros((3, 5)), np.zeros((2, 5))])


def test_init_weights_range_and_seed():
    sizes = [400, 25, 10]
    theta = init_weights(sizes, 0)
    for T, fan_in, fan_out in zip(Network(sizes).unpack(theta), sizes[:-1], sizes[1:]):
        eps = np.sqrt(6) / np.sqrt(fan_in + fan_out)
        assert np.abs(T).max() <= eps
        assert np.abs(T).max() > 0.95 * eps  # the whole interval is used, not a narrower one
        assert abs(T.mean()) < 0.1 * eps
    np.testing.assert_array_equal(theta, init_weights(sizes, 0))
    np.testing.assert_array_equal(theta, init_weights(sizes, np.random.default_rng(0)))
    assert not np.array_equal(theta, init_weights(sizes, 1))


def test_normal_initializers_match_the_tutorials():
    sizes = [784, 100, 10]
    for method, weight_std in (("normal", lambda n: 1.0), ("scaled-normal", lambda n: 1 / np.sqrt(n))):
        thetas = Network(sizes).unpack(init_weights(sizes, 0, method))
        for T, fan_in in zip(thetas, sizes[:-1]):
            assert np.std(T[:, 1:]) == pytest.approx(weight_std(fan_in), rel=0.05)
            assert abs(np.mean(T[:, 1:])) < 0.05 * weight_std(fan_in)
        assert np.std(np.concatenate([T[:, 0] for T in thetas])) == pytest.approx(1.0, rel=0.2)  # biases N(0, 1)
    with pytest.raises(BpnnError, match="unknown initializer 'xavier'"):
        init_weights(sizes, 0, "xavier")

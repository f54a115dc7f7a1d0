"""A plain course-style reference: float64, dA0 computed, a copied parameter dict every update.

Written the way the course's notebook does it, independent of the project's
engine, so the benchmark compares against what a student would write.
"""
from __future__ import annotations

import numpy as np


def init_deep(layer_dims, seed=1):
    np.random.seed(seed)  # the course's own global-seed style, on purpose
    params = {}
    for l in range(1, len(layer_dims)):
        params["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        params["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return params


def forward(X, params):
    caches, A, L = [], X, len(params) // 2
    for l in range(1, L + 1):
        A_prev = A
        Z = np.dot(params["W" + str(l)], A_prev) + params["b" + str(l)]
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
        caches.append(((A_prev, params["W" + str(l)], params["b" + str(l)]), Z))
    return A, caches


def cost_of(AL, Y):
    m = Y.shape[1]
    return float(np.squeeze(-1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))))


def backward(AL, Y, caches):
    grads, L, m = {}, len(caches), AL.shape[1]
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(1, L + 1)):
        (A_prev, W, b), Z = caches[l - 1]
        if l == L:
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
        else:
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        grads["dW" + str(l)] = 1.0 / m * np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
        dA = np.dot(W.T, dZ)
        grads["dA" + str(l - 1)] = dA
    return grads


def update(params, grads, learning_rate):
    params = params.copy()
    for key in list(params):
        params[key] = params[key] - learning_rate * grads["d" + key]
    return params


def train(X, Y, layer_dims, learning_rate=0.0075, num_iterations=2500, seed=1):
    """Returns (params, costs every 100 iterations)."""
    params, costs = init_deep(layer_dims, seed), []
    for i in range(num_iterations):
        AL, caches = forward(X, params)
        if i % 100 == 0:
            costs.append(cost_of(AL, Y))
        params = update(params, backward(AL, Y, caches), learning_rate)
    return params, costs


def predict(X, params):
    return (forward(X, params)[0] > 0.5).astype(int)


# ----- every option of the engine, straight from the course's formulas (used by the tests and benches) -----
ACTS = {
    "relu": (lambda Z: np.maximum(0, Z), lambda Z: (Z > 0).astype(float)),
    "tanh": (np.tanh, lambda Z: 1 - np.tanh(Z) ** 2),
    "leaky_relu": (lambda Z: np.where(Z > 0, Z, 0.01 * Z), lambda Z: np.where(Z > 0, 1.0, 0.01)),
    "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), lambda Z: (1 / (1 + np.exp(-Z))) * (1 - 1 / (1 + np.exp(-Z)))),
}
SCALES = {
    "course": lambda n, p: 0.01, "sqrt": lambda n, p: 1 / np.sqrt(p), "he": lambda n, p: np.sqrt(2 / p),
    "xavier": lambda n, p: np.sqrt(2 / (p + n)), "large": lambda n, p: 10.0, "zeros": lambda n, p: 0.0,
}


def init_any(layer_dims, init, seed):
    rng = np.random.RandomState(seed)
    return {k: v for l in range(1, len(layer_dims)) for k, v in (
        ("W" + str(l), rng.randn(layer_dims[l], layer_dims[l - 1]) * SCALES[init](layer_dims[l], layer_dims[l - 1])),
        ("b" + str(l), np.zeros((layer_dims[l], 1))))}


def mini_batches(X, Y, size, seed):
    """The course's random_mini_batches: a permutation drawn with np.random.seed(seed), the last batch partial."""
    m = X.shape[1]
    permutation = list(np.random.RandomState(seed).permutation(m))
    X, Y = X[:, permutation], Y[:, permutation]
    return [(X[:, k:k + size], Y[:, k:k + size]) for k in range(0, m, size)]


def model(X, Y, layer_dims, activation="relu", init="sqrt", seed=1, learning_rate=0.0075, num_iterations=100,
          record_every=100, lambd=0.0, l1=0.0, keep_prob=1.0, batch_size=None, optimizer="gd", beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, decay="none", decay_rate=1.0, time_interval=1000):
    """(params, costs): num_iterations updates; costs are epoch costs averaged over the epoch's examples,
    recorded for epochs holding a multiple of record_every, at the epoch's first update.

    Conventions the engine documents: dropout masks drawn from RandomState([seed, 1]) in layer order per
    update; epoch e's permutation from RandomState(seed + 1 + e); penalties use m = the batch's size;
    decay uses the epoch number; Adam's t counts updates from 1.
    """
    params, L, m = init_any(layer_dims, init, seed), len(layer_dims) - 1, X.shape[1]
    g, g_prime = ACTS[activation]
    sig = ACTS["sigmoid"][0]
    v = {k: np.zeros_like(p) for k, p in params.items()}
    s = {k: np.zeros_like(p) for k, p in params.items()}
    mask_rng = np.random.RandomState([seed, 1])
    costs, t, epoch, i = [], 0, 0, 0
    while i < num_iterations:
        batches = [(X, Y)] if batch_size is None else mini_batches(X, Y, batch_size, seed + 1 + epoch)
        lr = {"none": learning_rate, "inverse": learning_rate / (1 + decay_rate * epoch),
              "scheduled": learning_rate / (1 + decay_rate * np.floor(epoch / time_interval))}[decay]
        first, cost_total = i, 0.0
        for Xb, Yb in batches:
            if i >= num_iterations:
                break
            mb = Xb.shape[1]
            # forward with inverted dropout on hidden layers
            A, cache = Xb, []
            for l in range(1, L + 1):
                Z = np.dot(params["W" + str(l)], A) + params["b" + str(l)]
                A_new = sig(Z) if l == L else g(Z)
                D = None
                if l < L and keep_prob < 1:
                    D = mask_rng.rand(A_new.shape[0], A_new.shape[1]) < keep_prob
                    A_new = A_new * D
                    A_new = A_new / keep_prob
                cache.append((A, Z, D))
                A = A_new
            AL = A
            cross_entropy = -1 / mb * np.sum(Yb * np.log(AL) + (1 - Yb) * np.log(1 - AL))
            W_all = [params["W" + str(l)] for l in range(1, L + 1)]
            cost = (cross_entropy + lambd / (2 * mb) * sum(np.sum(np.square(W)) for W in W_all)
                    + l1 / mb * sum(np.sum(np.abs(W)) for W in W_all))
            cost_total += cost * mb
            # backward
            dA = -(np.divide(Yb, AL) - np.divide(1 - Yb, 1 - AL))
            grads = {}
            for l in reversed(range(1, L + 1)):
                A_prev, Z, D = cache[l - 1]
                if l < L and D is not None:
                    dA = dA * D
                    dA = dA / keep_prob
                dZ = dA * (ACTS["sigmoid"][1](Z) if l == L else g_prime(Z))
                W = params["W" + str(l)]
                grads["dW" + str(l)] = 1 / mb * np.dot(dZ, A_prev.T) + lambd / mb * W + l1 / mb * np.sign(W)
                grads["db" + str(l)] = 1 / mb * np.sum(dZ, axis=1, keepdims=True)
                dA = np.dot(W.T, dZ)
            # update
            t += 1
            for k in params:
                dP = grads["d" + k]
                if optimizer == "gd":
                    params[k] = params[k] - lr * dP
                elif optimizer == "momentum":
                    v[k] = beta * v[k] + (1 - beta) * dP
                    params[k] = params[k] - lr * v[k]
                else:
                    v[k] = beta1 * v[k] + (1 - beta1) * dP
                    s[k] = beta2 * s[k] + (1 - beta2) * np.square(dP)
                    v_corrected = v[k] / (1 - beta1 ** t)
                    s_corrected = s[k] / (1 - beta2 ** t)
                    params[k] = params[k] - lr * v_corrected / (np.sqrt(s_corrected) + epsilon)
            i += 1
        if i - first == len(batches) and any(j % record_every == 0 for j in range(first, i)):
            costs.append(float(cost_total / m))
        epoch += 1
    return params, costs

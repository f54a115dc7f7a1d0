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

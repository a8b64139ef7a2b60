#!/usr/bin/env python3
"""Writes torch_fixture.json: forward, loss, gradients and one optimizer step of
two tiny networks computed by PyTorch, in ParetoNeural's flat parameter layout.

  python make_torch_fixture.py    (needs torch; bench/.venv has it)

Layout (ParetoNeural's): embedding tables first, then per layer in order; a
dense layer stores W as inputs x outputs row-major (PyTorch's weight
transposed), then its bias; norm layers store gamma then beta; batch norm's
running mean and variance go in `state`.
"""
import json
import os

import torch

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(modules):
    values = []
    for m in modules:
        if isinstance(m, torch.nn.Embedding):
            values += m.weight.detach().reshape(-1).tolist()
        elif isinstance(m, torch.nn.Linear):
            values += m.weight.detach().t().reshape(-1).tolist() + m.bias.detach().tolist()
        elif isinstance(m, (torch.nn.LayerNorm, torch.nn.BatchNorm1d)):
            values += m.weight.detach().tolist() + m.bias.detach().tolist()
    return values


def flat_grad(modules):
    values = []
    for m in modules:
        if isinstance(m, torch.nn.Embedding):
            values += m.weight.grad.reshape(-1).tolist()
        elif isinstance(m, torch.nn.Linear):
            values += m.weight.grad.t().reshape(-1).tolist() + m.bias.grad.tolist()
        elif isinstance(m, (torch.nn.LayerNorm, torch.nn.BatchNorm1d)):
            values += m.weight.grad.tolist() + m.bias.grad.tolist()
    return values


def case(name, body, loss_fn, outputs, targets, optimizer):
    embedding = torch.nn.Embedding(4, 2)
    layers = body()
    modules = [embedding] + [m for m in layers]
    for m in layers:  # non-trivial norm parameters
        if isinstance(m, (torch.nn.LayerNorm, torch.nn.BatchNorm1d)):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    numeric = torch.randn(5, 3)
    codes = torch.tensor([0, 3, 1, 3, 2])
    before = flat(modules)
    x = torch.cat([numeric, embedding(codes)], dim=1)
    z = x
    for m in layers:
        z = m(z)
    loss = loss_fn(z, targets)
    loss.backward()
    gradients = flat_grad(modules)
    state = []
    for m in layers:
        if isinstance(m, torch.nn.BatchNorm1d):
            state += m.running_mean.tolist() + m.running_var.tolist()
    params = [p for m in modules for p in m.parameters()]
    opt = optimizer(params)
    opt.step()
    return {
        "name": name, "outputs": outputs, "numeric": numeric.reshape(-1).tolist(), "codes": codes.tolist(),
        "targets": targets.float().tolist(), "parameters": before, "logits": z.detach().reshape(-1).tolist(),
        "loss": loss.item(), "gradients": gradients, "state": state, "after_step": flat(modules),
    }


cases = [
    case("binary: dense, relu, layer norm, gelu; BCE; AdamW",
         lambda: [torch.nn.Linear(5, 6), torch.nn.ReLU(), torch.nn.LayerNorm(6), torch.nn.Linear(6, 4),
                  torch.nn.GELU(), torch.nn.Linear(4, 1)],
         lambda z, t: torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], t), 1,
         torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0]),
         lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    case("softmax: dense, batch norm, tanh, sigmoid; smoothed CE; SGD Nesterov",
         lambda: [torch.nn.Linear(5, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(), torch.nn.Linear(6, 4),
                  torch.nn.Sigmoid(), torch.nn.Linear(4, 3)],
         lambda z, t: torch.nn.functional.cross_entropy(z, t, label_smoothing=0.1), 3,
         torch.tensor([2, 0, 1, 1, 2]),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
]
with open(os.path.join(HERE, "torch_fixture.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)

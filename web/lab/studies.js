// The built-in studies, sized for the browser (a minute or so with 2–4 Workers). The
// full-size grids, their results and figures are in docs/results.md, made by the CLI
// (engine/sweep.cpp builtin_study, `relu-lab sweep --study NAME`); same settings, fewer
// seeds and grid points here.
export const STUDIES = [
  {
    name: 'lr-dead',
    title: '1. Learning rate → % dead units',
    text:
      'Learning rate against the share of dead hidden units at the end of training, for ReLU, Leaky ReLU, ELU and SELU ' +
      '(CS231n: "as much as 40% of your network can be dead" with a too-high learning rate). Leaky/ELU/SELU units cannot ' +
      'be dead by definition; "% never active" shows how many of them still sit at z ≤ 0 on every input.',
    plot: { metrics: ['dead', 'no_positive', 'test_accuracy'] },
    spec: {
      kind: 'train', name: 'lr-dead',
      base: { dataset: 'spiral', layers: [16, 16], optimizer: 'sgd', batch: 32 },
      axes: { activation: ['relu', 'leaky_relu', 'elu', 'selu'], lr: [0.01, 0.03, 0.1, 0.3, 0.5, 1, 2, 3] },
      seeds: 5, steps: 3000, metrics: ['dead', 'no_positive', 'test_accuracy', 'final_loss', 'diverged'],
    },
  },
  {
    name: 'born-dead',
    title: '2. Born-dead probability vs depth (He vs RAI)',
    text:
      'How often a freshly initialised deep, narrow ReLU network is dead before training (some layer outputs zero on ' +
      'every input; Lu et al. 2019), against depth for widths 2, 3, 4, 5 and 10, He normal against RAI. Dashed: the ' +
      'single-input formula 1 − (1 − 2^−N)^L.',
    plot: { metrics: ['born_dead'], xScale: 'linear' },
    spec: {
      kind: 'born_dead', name: 'born-dead', base: {},
      axes: { init: ['he_normal', 'rai'], width: [2, 3, 4, 5, 10], depth: [1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 50] },
      trials: 200, metrics: ['born_dead', 'reference'],
    },
  },
  {
    name: 'init-activation',
    title: '3. Initialiser × activation on all-negative data',
    text:
      'Every initialiser against every activation on the seed article\'s all-negative data (negative-uniform, 4 inputs ' +
      'in [−1, 0]; 20000 samples instead of 200000 for speed): final loss, % dead and the last gradient norm.',
    plot: { metrics: ['final_loss', 'dead', 'grad_norm'] },
    spec: {
      kind: 'train', name: 'init-activation',
      base: { dataset: 'negative-uniform', samples: 20000, layers: [8, 8], optimizer: 'sgd', lr: 0.01, batch: 32 },
      axes: { init: ['he_normal', 'glorot_uniform', 'lecun_normal', 'rai', 'random_uniform'], activation: ['relu', 'leaky_relu', 'elu', 'selu', 'tanh'] },
      seeds: 3, steps: 2000, metrics: ['final_loss', 'dead', 'grad_norm', 'no_positive'],
    },
  },
  {
    name: 'bias-lr',
    title: '4. Bias init × learning rate → % dead',
    text:
      'Bias init (−1, 0, 0.1, 0.5) against the learning rate: does a small positive bias keep ReLU units alive? The seed ' +
      'thread argues it barely does.',
    plot: { metrics: ['dead', 'test_accuracy'] },
    spec: {
      kind: 'train', name: 'bias-lr',
      base: { dataset: 'spiral', layers: [16, 16], activation: 'relu', optimizer: 'sgd', batch: 32 },
      axes: { bias_init: [-1, 0, 0.1, 0.5], lr: [0.01, 0.03, 0.1, 0.3, 0.5, 1, 2] },
      seeds: 5, steps: 3000, metrics: ['dead', 'test_accuracy', 'final_loss'],
    },
  },
  {
    name: 'revival',
    title: '5. Revival after a high-rate collapse',
    text:
      'ReLU 16-16 on spiral at a learning rate that kills many units, with auto-revive (ReDo: fresh incoming weights, ' +
      'zero outgoing) every K steps against none (K = 0). Test accuracy and % dead 30 steps after the last revival; ' +
      'the dots are single seeds: how often it works, not only on average.',
    plot: { metrics: ['test_accuracy', 'dead'], showValues: true },
    spec: {
      kind: 'train', name: 'revival',
      base: { dataset: 'spiral', layers: [16, 16], activation: 'relu', optimizer: 'sgd', batch: 32 },
      axes: { lr: [0.3, 1], revive_every: [0, 50, 200, 1000] },
      seeds: 10, steps: 3030, metrics: ['test_accuracy', 'dead', 'final_loss'],
    },
  },
  {
    name: 'mnist-lr',
    title: '6. MNIST: learning rate → % dead and test accuracy',
    text:
      'Real digits: the learning rate against the share of dead hidden units and the test accuracy on 2,000 held-out ' +
      'digits, ReLU against Leaky ReLU, plain SGD. Here on mnist14 (the digits pooled to 14×14, fetched once per Worker, ' +
      '~0.5 MB) with a 196-32-32-10 net and 300 steps; the shipped results are the CLI\'s bigger grid (4 activations, ' +
      '6 rates, 5 seeds, 64-64 units, 1,000 steps).',
    plot: { metrics: ['dead', 'test_accuracy'] },
    spec: {
      kind: 'train', name: 'mnist-lr',
      base: { dataset: 'mnist14', layers: [32, 32], optimizer: 'sgd', batch: 64 },
      axes: { activation: ['relu', 'leaky_relu'], lr: [0.03, 0.3, 3] },
      seeds: 2, steps: 300, metrics: ['dead', 'no_positive', 'test_accuracy', 'final_loss', 'diverged'],
    },
  },
  {
    name: 'conv-lr',
    title: '7. Convnet on MNIST: learning rate → % dead channels',
    text:
      'A LeNet on the digits: the learning rate against the share of dead conv channels (filters whose pre-activation ' +
      'is ≤ 0 at every position of every training image, so they pass no gradient and never recover) and the test ' +
      'accuracy, ReLU against Leaky ReLU, plain SGD. Here on mnist14 with 300 steps and 2 seeds; the shipped results ' +
      'are the CLI\'s bigger grid (5 rates, 5 seeds, 1,000 steps).',
    plot: { metrics: ['dead_channels', 'no_positive_channels', 'test_accuracy'] },
    spec: {
      kind: 'train', name: 'conv-lr',
      base: { dataset: 'mnist14', net: 'conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(64)', optimizer: 'sgd', batch: 32 },
      axes: { activation: ['relu', 'leaky_relu'], lr: [0.03, 0.3, 1] },
      seeds: 2, steps: 300, metrics: ['dead_channels', 'no_positive_channels', 'test_accuracy', 'dead', 'final_loss', 'diverged'],
    },
  },
];

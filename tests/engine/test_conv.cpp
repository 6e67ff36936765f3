// The convolution and pooling layers (engine/layers/conv2d.h, pool2d.h), on their own:
// forward against a direct loop over the definition; every gradient (weights, biases, PReLU
// slopes, inputs) against central finite differences in double, over strides, paddings, even
// and odd kernels and ragged sizes; shapes and their errors.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "config.h"
#include "layers/conv2d.h"
#include "layers/pool2d.h"
#include "mlp.h"
#include "monitor.h"
#include "net_spec.h"
#include "rng.h"
#include "run.h"
#include "weights_io.h"

using namespace relu;

namespace {

using MatD = Eigen::MatrixXd;

struct ConvCase {
  Volume in;
  ConvSpec spec;
};

// Shapes that exercise every index path: same/valid/integer padding, stride 2, even kernels
// (same pads one more at the bottom and right), a kernel as big as the image, 1 channel.
const ConvCase kConvCases[] = {
    {{1, 5, 5}, {2, 3, 1, kSamePadding}},
    {{2, 5, 7}, {3, 3, 1, 0}},
    {{2, 6, 5}, {3, 2, 1, kSamePadding}},
    {{3, 7, 6}, {2, 3, 2, 1}},
    {{1, 6, 6}, {4, 4, 2, 0}},
    {{2, 4, 4}, {1, 4, 1, 0}},
    {{1, 5, 5}, {2, 5, 1, 2}},
};

std::vector<double> work_for(int k) { return std::vector<double>(gemm_workspace(k) + 1); }

MatD random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  MatD m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = rng.normal();
  return m;
}

// z[o, oy, ox] = b[o] + sum_{c,i,j} W[o][c][i][j] x[c, oy s - pad + i, ox s - pad + j]: the definition.
double direct_z(const Conv2d<double>& L, const std::vector<double>& params, const double* x, int o, int oy, int ox) {
  const int k = L.spec.kernel;
  double sum = params[L.b_off + o];
  for (int c = 0; c < L.in.c; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const int iy = oy * L.spec.stride - L.pad_lo + i, ix = ox * L.spec.stride - L.pad_lo + j;
        if (iy < 0 || iy >= L.in.h || ix < 0 || ix >= L.in.w) continue;
        // PyTorch's weight[o][c][i][j], row-major: filter o is contiguous.
        sum += params[L.w_off + ((static_cast<size_t>(o) * L.in.c + c) * k + i) * k + j] * x[(c * L.in.h + iy) * L.in.w + ix];
      }
  return sum;
}

// Loss = sum over the chunk of R ⊙ a, so dL/da = R.
double weighted_sum(const MatD& a, const MatD& r) { return (a.array() * r.array()).sum(); }

}  // namespace

TEST_CASE("conv2d output shapes follow PyTorch and bad specs name the problem", "[conv]") {
  CHECK(conv_output({1, 28, 28}, {8, 5, 1, kSamePadding}).h == 28);
  CHECK(conv_output({1, 28, 28}, {8, 5, 1, 0}).h == 24);
  CHECK(conv_output({1, 28, 28}, {8, 5, 2, 2}).h == 14);
  CHECK(conv_output({1, 28, 28}, {8, 4, 1, kSamePadding}).w == 28);
  const Volume v = conv_output({3, 7, 6}, {2, 3, 2, 1});
  CHECK((v.c == 2 && v.h == 4 && v.w == 3));
  CHECK_THROWS_WITH(conv_output({1, 28, 28}, {8, 5, 2, kSamePadding}), Catch::Contains("same\" needs stride 1"));
  CHECK_THROWS_WITH(conv_output({1, 3, 3}, {8, 5, 1, 0}), Catch::Contains("does not fit a padded 3x3"));
  CHECK_THROWS_WITH(conv_output({1, 8, 8}, {8, 3, 3, 0}), Catch::Contains("stride must be 1 or 2"));
  CHECK_THROWS_WITH(conv_output({1, 8, 8}, {0, 3, 1, 0}), Catch::Contains("channels must be >= 1"));
  CHECK(pool_output({8, 7, 7}, 2).h == 3);
  CHECK_THROWS_WITH(pool_output({8, 1, 7}, 2), Catch::Contains("does not fit a 1x7"));
  CHECK(conv2d_param_count({1, 28, 28}, {8, 5, 1, kSamePadding}) == 8 * 25 + 16);
}

TEST_CASE("conv2d's forward is the convolution's definition, channel by channel", "[conv]") {
  Rng rng(11);
  for (const auto& cc : kConvCases) {
    Conv2d<double> L;
    const int n = 3;
    std::vector<double> params(L.carve(cc.in, cc.spec, 0, n) + 0);
    for (auto& p : params) p = rng.normal();
    L.act.kind = Activation::Relu;
    const MatD x = random_matrix(cc.in.size(), n, rng);
    auto work = work_for(1024);
    L.forward(params.data(), x.data(), static_cast<int>(x.rows()), n, true, {work.data(), nullptr});
    double worst = 0;
    for (int s = 0; s < n; ++s)
      for (int o = 0; o < L.out.c; ++o)
        for (int oy = 0; oy < L.out.h; ++oy)
          for (int ox = 0; ox < L.out.w; ++ox) {
            const Eigen::Index row = (o * L.out.h + oy) * L.out.w + ox;
            const double want = direct_z(L, params, x.col(s).data(), o, oy, ox);
            worst = std::max(worst, std::fabs(L.z(row, s) - want));
            CHECK(L.a(row, s) == (want > 0 ? L.z(row, s) : 0.0));
          }
    CAPTURE(cc.in.c, cc.in.h, cc.in.w, cc.spec.channels, cc.spec.kernel, cc.spec.stride, cc.spec.padding);
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("conv2d's gradients match finite differences for every parameter and input", "[conv][gradients]") {
  Rng rng(5);
  for (Activation act : {Activation::Tanh, Activation::Prelu, Activation::Elu}) {
    for (const auto& cc : kConvCases) {
      Conv2d<double> L;
      const int n = 2;
      std::vector<double> params(L.carve(cc.in, cc.spec, 0, n));
      for (auto& p : params) p = 0.5 * rng.normal();
      for (int o = 0; o < L.units(); ++o) L.s(params.data())(o) = 0.25 + 0.1 * rng.normal();
      L.act.kind = act;
      MatD x = random_matrix(cc.in.size(), n, rng);
      const MatD r = random_matrix(L.out.size(), n, rng);
      auto work = work_for(1024);
      const ProductWork<double> pw{work.data(), nullptr};
      auto loss = [&]() {
        L.forward(params.data(), x.data(), static_cast<int>(x.rows()), n, true, pw);
        return weighted_sum(L.a.leftCols(n), r);
      };
      // Analytic: dL/da = R, then the three backward parts.
      loss();
      std::vector<double> grads(params.size(), 0.0);
      MatD da = r;
      L.backward_activation(params.data(), grads.data(), da, n);
      L.backward_params(grads.data(), x.data(), static_cast<int>(x.rows()), n, false, pw);
      MatD dx(cc.in.size(), n);
      L.backward_input(params.data(), dx.data(), static_cast<int>(dx.rows()), n, pw);
      const double h = 1e-6;
      auto central = [&](double& v) {
        const double keep = v;
        v = keep + h;
        const double up = loss();
        v = keep - h;
        const double down = loss();
        v = keep;
        return (up - down) / (2 * h);
      };
      CAPTURE(static_cast<int>(act), cc.in.c, cc.in.h, cc.in.w, cc.spec.channels, cc.spec.kernel, cc.spec.stride,
              cc.spec.padding);
      for (size_t i = 0; i < params.size(); ++i) {
        if (act != Activation::Prelu && i >= L.s_off) continue;  // slopes only matter to PReLU
        CAPTURE(i);
        CHECK(grads[i] == Approx(central(params[i])).margin(1e-7).epsilon(1e-6));
      }
      for (Eigen::Index i = 0; i < x.size(); ++i) {
        CAPTURE(i);
        CHECK(dx(i) == Approx(central(x.data()[i])).margin(1e-7).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("frozen conv channels get no gradient; ablated ones output 0 and pass none back", "[conv]") {
  Rng rng(2);
  Conv2d<double> L;
  std::vector<double> params(L.carve({1, 5, 5}, {3, 3, 1, kSamePadding}, 0, 2));
  for (auto& p : params) p = rng.normal();
  L.act.kind = Activation::Tanh;
  L.frozen[1] = 1;
  L.ablated[2] = 1;
  const MatD x = random_matrix(25, 2, rng);
  auto work = work_for(64);
  const ProductWork<double> pw{work.data(), nullptr};
  L.forward(params.data(), x.data(), 25, 2, true, pw);
  CHECK(L.a.middleRows(2 * 25, 25).leftCols(2).cwiseAbs().maxCoeff() == 0.0);
  std::vector<double> grads(params.size(), 0.0);
  MatD da = MatD::Ones(L.out.size(), 2);
  L.backward_activation(params.data(), grads.data(), da, 2);
  L.backward_params(grads.data(), x.data(), 25, 2, true, pw);
  CHECK(L.W(grads.data()).col(1).cwiseAbs().maxCoeff() == 0.0);
  CHECK(L.b(grads.data())(1) == 0.0);
  CHECK(L.W(grads.data()).col(2).cwiseAbs().maxCoeff() == 0.0);  // ablated: dz = 0
  CHECK(L.W(grads.data()).col(0).cwiseAbs().maxCoeff() > 0.0);
  CHECK(L.grad_abs_sum(2) == 0.0);
  CHECK(L.grad_abs_sum(0) > 0.0);
}

TEST_CASE("pooling: max and mean over k x k windows, and their gradients", "[conv][pool]") {
  Rng rng(9);
  for (PoolKind kind : {PoolKind::Max, PoolKind::Avg})
    for (const Volume in : {Volume{2, 4, 4}, Volume{3, 5, 7}, Volume{1, 6, 6}})
      for (int size : {2, 3}) {
        if (in.h < size || in.w < size) continue;
        Pool2d<double> P;
        const int n = 2;
        P.carve(in, kind, size, 0, n);
        MatD x = random_matrix(in.size(), n, rng);  // distinct values: the max is unique
        P.forward(x.data(), static_cast<int>(x.rows()), n);
        CAPTURE(kind == PoolKind::Max, in.c, in.h, in.w, size);
        for (int s = 0; s < n; ++s)
          for (int c = 0; c < in.c; ++c)
            for (int oy = 0; oy < P.out.h; ++oy)
              for (int ox = 0; ox < P.out.w; ++ox) {
                double best = -1e300, sum = 0;
                for (int i = 0; i < size; ++i)
                  for (int k = 0; k < size; ++k) {
                    const double v = x((c * in.h + oy * size + i) * in.w + ox * size + k, s);
                    best = std::max(best, v);
                    sum += v;
                  }
                const double got = P.a((c * P.out.h + oy) * P.out.w + ox, s);
                CHECK(got == Approx(kind == PoolKind::Max ? best : sum / (size * size)).epsilon(1e-14));
              }
        const MatD r = random_matrix(P.out.size(), n, rng);
        MatD da = r;
        P.backward_activation(da, n);
        MatD dx(in.size(), n);
        P.backward_input(dx.data(), static_cast<int>(dx.rows()), n);
        const double h = 1e-6;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
          const double keep = x.data()[i];
          x.data()[i] = keep + h;
          P.forward(x.data(), static_cast<int>(x.rows()), n);
          const double up = weighted_sum(P.a.leftCols(n), r);
          x.data()[i] = keep - h;
          P.forward(x.data(), static_cast<int>(x.rows()), n);
          const double down = weighted_sum(P.a.leftCols(n), r);
          x.data()[i] = keep;
          CAPTURE(i);
          CHECK(dx(i) == Approx((up - down) / (2 * h)).margin(1e-7).epsilon(1e-6));
        }
      }
}

TEST_CASE("max pooling sends a tie's gradient to the first of the equal values", "[conv][pool]") {
  Pool2d<double> P;
  P.carve({1, 2, 2}, PoolKind::Max, 2, 0, 1);
  MatD x(4, 1);
  x << 1, 3, 3, 2;  // rows 1 and 2 tie
  P.forward(x.data(), 4, 1);
  CHECK(P.a(0, 0) == 3.0);
  MatD da = MatD::Constant(1, 1, 5.0);
  P.backward_activation(da, 1);
  MatD dx(4, 1);
  P.backward_input(dx.data(), 4, 1);
  CHECK(dx(0) == 0.0);
  CHECK(dx(1) == 5.0);
  CHECK(dx(2) == 0.0);
  CHECK(dx(3) == 0.0);
}

// ---- the layers inside the network ----

namespace {

// conv2d(3,3,same) -> maxpool(2) -> conv2d(2,2,valid,stride 2... as given) -> avgpool -> dense(5) -> out
std::vector<LayerSpec> small_convnet() {
  return read_net(nlohmann::json("conv2d(3,3,same),maxpool(2),conv2d(4,2,1,2),avgpool(2),dense(5)"));
}

}  // namespace

TEST_CASE("a convolutional network's gradients match finite differences through pooling, flatten and loss",
          "[conv][gradients]") {
  for (Loss loss : {Loss::SoftmaxCe, Loss::Mse})
    for (Activation act : {Activation::Tanh, Activation::Prelu, Activation::Elu}) {
      const int outputs = loss == Loss::SoftmaxCe ? 3 : 1;
      Mlp<double> m(Volume{2, 8, 7}, small_convnet(), {act}, outputs, loss, 4);
      REQUIRE(m.num_layers() == 4);  // three hidden unit layers and the output
      CHECK(!m.is_dense(0));
      CHECK(m.is_dense(2));
      Rng rng(31 + static_cast<int>(act));
      for (auto& p : m.params) p = 0.4 * rng.normal();
      for (int l = 0; l < m.num_layers(); ++l) m.s(l).setConstant(0.25);
      const int n = 4;
      const MatD x = random_matrix(m.inputs(), n, rng);
      MatD y(1, n);
      for (int j = 0; j < n; ++j) y(0, j) = loss == Loss::SoftmaxCe ? j % outputs : rng.normal();
      m.zero_grads();
      m.forward(x, n, false);
      m.output_grad(y, n, n);
      m.backward(x, n, false);
      const std::vector<double> g = m.grads;
      const double h = 1e-6;
      int significant = 0;
      CAPTURE(static_cast<int>(loss), static_cast<int>(act));
      for (size_t i = 0; i < m.params.size(); ++i) {
        const double keep = m.params[i];
        m.params[i] = keep + h;
        m.forward(x, n, false);
        const double up = m.loss_value(y, n);
        m.params[i] = keep - h;
        m.forward(x, n, false);
        const double down = m.loss_value(y, n);
        m.params[i] = keep;
        const double fd = (up - down) / (2 * h);
        CAPTURE(i);
        CHECK(g[i] == Approx(fd).margin(1e-8).epsilon(1e-5));
        significant += std::fabs(fd) > 1e-6;
      }
      CHECK(significant > static_cast<int>(m.params.size()) / 3);
    }
}

TEST_CASE("bad network specs name the token or layer and what is wrong", "[conv][config]") {
  using nlohmann::json;
  CHECK_THROWS_WITH(read_net(json("conv2d(8,5,same),maxpool(0)")), Catch::Contains("token 2 \"maxpool(0)\": size must be in 1..4096"));
  CHECK_THROWS_WITH(read_net(json("conv2d(8)")), Catch::Contains("conv2d takes (channels, kernel"));
  CHECK_THROWS_WITH(read_net(json("conv3d(8,5)")), Catch::Contains("unknown layer \"conv3d\""));
  CHECK_THROWS_WITH(read_net(json("conv2d(8,5,wide)")), Catch::Contains("padding must be same, valid or a whole number"));
  CHECK_THROWS_WITH(read_net(json("conv2d(8,5,same,fancy)")), Catch::Contains("token 1"));
  CHECK_THROWS_WITH(read_net(json("conv2d(8,5,same")), Catch::Contains("unbalanced parentheses"));
  CHECK_THROWS_WITH(read_net(json("dense(64,fancy)")), Catch::Contains("unknown activation \"fancy\""));
  CHECK_THROWS_WITH(read_net(json("maxpool")), Catch::Contains("expected a layer like"));
  CHECK_THROWS_WITH(read_net(json::parse(R"([{"type":"conv2d","channels":8}])")), Catch::Contains("layer 1: needs \"kernel\""));
  const auto net = read_net(json("conv2d(8,5,same,elu), maxpool(2), conv2d(16,3,1,2), avgpool(2), dense(64,tanh)"));
  REQUIRE(net.size() == 5);
  CHECK((net[0].kind == LayerKind::Conv2d && net[0].units == 8 && net[0].kernel == 5 && net[0].padding == kSamePadding));
  CHECK((net[0].has_activation && net[0].activation == Activation::Elu));
  CHECK((net[2].stride == 2 && net[2].padding == 1));
  CHECK((net[4].kind == LayerKind::Dense && net[4].units == 64 && net[4].activation == Activation::Tanh));
  CHECK(unit_widths(net) == std::vector<int>{8, 16, 64});
  CHECK(read_net(net_to_json(net)).size() == 5);  // the JSON form reads back
  CHECK(net_to_json(net) == net_to_json(read_net(net_to_json(net))));
  // Shapes are checked against the input volume, naming the layer.
  CHECK_THROWS_WITH(network_param_count(Volume{1, 4, 4}, read_net(json("conv2d(2,5)")), 10),
                    Catch::Contains("layer 1: conv2d: a 5x5 kernel does not fit a padded 4x4 input"));
  CHECK_THROWS_WITH(network_param_count(Volume{1, 8, 8}, read_net(json("dense(4),conv2d(2,3)")), 10),
                    Catch::Contains("layer 2: a convolution cannot follow a dense layer"));
  CHECK_THROWS_WITH(network_param_count(Volume{64, 1, 1}, read_net(json("conv2d(2,3)")), 10),
                    Catch::Contains("a convolution needs image inputs"));
  // LeNet on MNIST: 8*25+16 + 16*200+32 + 784*128+256 + 128*10+20
  CHECK(network_param_count(Volume{1, 28, 28},
                            read_net(json("conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)")), 10) ==
        216 + 3232 + 100608 + 1300);
}

TEST_CASE("monitor: a conv channel is a unit; its states on hand-set filters", "[conv][monitor]") {
  // 1x4x4 inputs, conv2d(4 channels, 1x1 kernel, weight 1): channel o sees z = x + b_o at
  // every pixel. Inputs: 10 images; image k has pixel (0,0) = 1 if k == 0, else every pixel 0.1k/10.
  std::vector<LayerSpec> net = read_net(nlohmann::json("conv2d(4,1)"));
  Mlp<float> m(Volume{1, 4, 4}, net, {Activation::Relu}, 1, Loss::Mse, 16);
  Eigen::MatrixXf x = Eigen::MatrixXf::Zero(16, 10);
  x(0, 0) = 1.0f;                                     // input 0: one bright pixel
  x(5, 0) = 1.0f;                                     //          and another one
  for (int k = 1; k < 10; ++k) x.col(k).setConstant(0.05f * k);  // inputs 1..9: flat 0.05 .. 0.45
  auto& L = m.layer(0);
  for (int o = 0; o < 4; ++o) L.incoming(m.params.data(), o).setOnes();
  //   channel 0: bias -10: no (input, position) with z > 0          -> dead
  //   channel 1: bias -0.5: z > 0 only at the 2 bright pixels of input 0 -> mostly silent
  //   channel 2: bias +1: z > 0 everywhere                           -> always on
  //   channel 3: bias -0.2: inputs 5..9 fire everywhere, input 0 at its 2 bright pixels -> healthy
  m.b(0) << -10.0f, -0.5f, 1.0f, -0.2f;
  m.W(1).setOnes();
  Monitor mon{MonitorOptions{}};
  mon.evaluate(m, x, 0);
  const LayerReport& r = mon.report().layers[0];
  CHECK(r.width == 4);
  CHECK(r.positions == 16);
  CHECK(r.state[0] == static_cast<uint8_t>(NeuronState::Dead));
  CHECK(r.state[1] == static_cast<uint8_t>(NeuronState::MostlySilent));
  CHECK(r.state[2] == static_cast<uint8_t>(NeuronState::AlwaysOn));
  CHECK(r.state[3] == static_cast<uint8_t>(NeuronState::Healthy));
  CHECK(r.active_fraction[1] == Approx(2.0 / 160));   // 2 of 10 x 16 (input, position) pairs
  CHECK(r.input_fraction[1] == Approx(0.1));          // fires somewhere on 1 of 10 inputs
  CHECK(r.active_fraction[3] == Approx(82.0 / 160));  // inputs 5..9 (0.25 .. 0.45 > 0.2), and 2 pixels
  CHECK(r.input_fraction[3] == Approx(0.6));
  CHECK(r.input_fraction[0] == 0.0f);
  CHECK(r.mean_abs[2] == Approx((x.sum() + 160.0) / 160.0));
  CHECK(r.weight_norm[0] == Approx(1.0));
  CHECK(r.dead_fraction == Approx(0.25));
}

TEST_CASE("a convnet trains in a Run: config, chunking, revival of a channel, weights round trip", "[conv][run]") {
  RunConfig cfg = config_from_json(R"j({"dataset":"mnist14","net":"conv2d(4,3,same),maxpool(2),dense(16)",
      "batch":16,"lr":0.05,"seed":2,"monitor_every":1000000,"samples":400})j");
  CHECK(cfg.layers == std::vector<int>{4, 16});
  Run run(cfg);
  const auto& m = run.model();
  REQUIRE(m.num_layers() == 3);
  CHECK(m.layer(0).positions == 14 * 14);
  CHECK(m.input_volume().h == 14);
  run.step(1);
  const double first = run.last_batch_loss();
  double later = 0;
  for (int k = 0; k < 50; ++k) run.step(1), later += run.last_batch_loss() / 50;
  CHECK(later < first);
  // Revive channel 1 of the conv layer: fresh filter, zero bias, zero outgoing weights (the
  // dense layer's columns reading its 7 x 7 pooled map).
  run.revive_neuron(0, 1);
  const auto& d = m.dense(1);
  for (int col = 49; col < 98; ++col) CHECK(d.W(m.params.data()).col(col).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(d.W(m.params.data()).col(48).cwiseAbs().maxCoeff() > 0.0f);
  CHECK(d.W(m.params.data()).col(98).cwiseAbs().maxCoeff() > 0.0f);
  CHECK(m.b(0)(1) == 0.0f);
  // Export, import into a fresh run, the same bits; pooling layers travel as {"type","size"}.
  const std::string w = run.export_weights();
  CHECK(w.find(R"({"type":"maxpool","size":2})") != std::string::npos);
  CHECK(w.find(R"("type":"conv2d")") != std::string::npos);
  Run other(cfg);
  other.import_weights(w);
  CHECK(other.model().params == m.params);
  // A dense file does not load into it, and says why.
  Run dense(config_from_json(R"({"dataset":"mnist14","layers":[4],"samples":400})"));
  CHECK_THROWS_WITH(other.import_weights(dense.export_weights()), Catch::Contains("the network expects 4 (pooling layers included)"));
}

TEST_CASE("max pooling lets a NaN through, as PyTorch does, and sends its gradient there", "[conv][pool]") {
  Pool2d<float> P;
  P.carve({1, 2, 4}, PoolKind::Max, 2, 0, 1);
  Eigen::MatrixXf x(8, 1);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  x << 1, 2, 5, 6,  //
      nan, 0, 7, 3;  // window 1 (cols 0-1) holds a NaN; window 2 (cols 2-3) does not
  P.forward(x.data(), 8, 1);
  CHECK(std::isnan(P.a(0, 0)));
  CHECK(P.from(0, 0) == 4);
  CHECK(P.a(1, 0) == 7.0f);
  CHECK(P.from(1, 0) == 6);
}

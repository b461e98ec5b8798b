-- LAB 12-VAE: 변이형 오토인코더(variational autoencoder, VAE)로 패션 MNIST의
-- 2차원 잠재 공간(latent space)을 배우고, 그 공간에서 새 이미지를 만든다.
--
-- 이 실습이 보여 주는 것 (12장 본문이 이 실습을 감싼다):
--   * 인코더(encoder)가 이미지 하나를 점 하나가 아니라 정규분포 N(mu, sigma^2)
--     하나로 보낸다: 평균 mu(z_mean)와 로그 분산 log sigma^2(z_log_var).
--   * 샘플링(Sampling) 층은 z = mu + exp(log sigma^2 / 2) * eps (eps ~ N(0, I))로
--     잠재 벡터를 뽑는다(재매개변수화 기법, reparameterization trick). 이 층은
--     nn.Layer로 루아(Lua)에서 직접 쓴 사용자 정의 층이며, 순전파(forward)에서
--     KL 발산(Kullback-Leibler divergence) 항을 self:add_loss로 손실에 더하고,
--     역전파(backward)에서 그 기울기까지 돌려준다.
--   * 손실 = 픽셀마다의 이진 교차 엔트로피(binary cross-entropy) 평균
--     + KL 항 / 784. 둘 다 784로 나눈 ELBO(증거 하한)의 음수와 같다.
--   * 학습 뒤 인코더만 떼어 낸 부분 모델(sub-model)로 시험 이미지의 mu를
--     클래스별 색으로 흩뿌리고(그림 fig-vae-latent), 디코더(decoder)만 떼어
--     내 2차원 격자의 점들을 이미지로 바꾼다(그림 fig-vae-grid). 잠재 공간의
--     어느 곳을 골라도 그럴듯한 옷 그림이 나오는 것이 보통 오토인코더와 다른 점이다.
--   * 책에 인용할 값(book.value): vae_epochs, vae_n_train, vae_loss_first,
--     vae_loss_last, vae_rec_last, vae_kl_last, vae_params, vae_mu_spread
--     (index.md의 {{lab_vae.vae_loss_last}} 처럼).
-- 실행: ./workbook run ch12/lab_vae.lua   (그림은 out/ch12/lab_vae/ 에 저장된다)
local tensor, nn, data, plot = require "tensor", require "nn", require "data", require "plot"
local book = require "book"

tensor.seed(2024)

-- %% 데이터
-- 픽셀 값은 0과 1 사이이고, 784개 픽셀을 한 줄로 편 벡터를 입력으로 쓴다.
local fm = data.fashion_mnist()
local n_train, n_test, epochs = 30000, 5000, 15
local quick = os.getenv("WORKBOOK_QUICK") == "1"
if quick then
  n_train, n_test, epochs = 3000, 1000, 3
  print("WORKBOOK_QUICK=1: 훈련 이미지 3,000장으로 3 에포크만 학습하고 1,000장으로 시험한다")
end
local X = fm.train.x:slice(1, 1, n_train):reshape(n_train, 784)
local X_test = fm.test.x:slice(1, 1, n_test):reshape(n_test, 784)
local y_test = fm.test.y:slice(1, 1, n_test)
local NAMES_KO = {"티셔츠(T-shirt)", "바지(Trouser)", "풀오버(Pullover)", "드레스(Dress)",
                  "코트(Coat)", "샌들(Sandal)", "셔츠(Shirt)", "스니커즈(Sneaker)",
                  "가방(Bag)", "앵클부츠(Ankle boot)"}
print(("훈련 %d장, 시험 %d장, 입력 차원 %d"):format(n_train, n_test, X:shape()[2]))
book.value("vae_n_train", n_train, "%d")

-- %% 샘플링 층: 루아로 쓴 사용자 정의 층
-- 입력은 두 노드 {mu, log_var}이다 (multi_input). 순전파는 잠재 벡터 z를 뽑고
-- KL 항 beta * 평균_i( -1/2 Σ_j (1 + log_var - mu^2 - exp(log_var)) )를 손실에
-- 더한다. 역전파는 z의 기울기 dz를 mu와 log_var로 나누어 보내면서 KL 항의
-- 기울기를 더한다: dKL/dmu = mu, dKL/dlog_var = (exp(log_var) - 1) / 2.
local function Sampling(beta)
  return nn.Layer{
    class_name = "Sampling", multi_input = true,
    build = function(self, shapes) return shapes[1] end,
    forward = function(self, xs)
      local mu, log_var = xs[1], xs[2]
      local n = mu:shape()[1]
      self.mu, self.log_var = mu, log_var
      self.eps = tensor.randn(mu:shape())
      self.std = (log_var * 0.5):exp()
      local kl = ((mu * mu) + log_var:exp() - log_var - 1):sum() * 0.5 / n
      self.kl = kl
      self:add_loss(beta * kl)
      return mu + self.std * self.eps
    end,
    backward = function(self, dz)
      local n = dz:shape()[1]
      local d_mu = dz + self.mu * (beta / n)
      local d_log_var = dz * self.eps * self.std * 0.5 + (self.log_var:exp() - 1) * (0.5 * beta / n)
      return {d_mu, d_log_var}
    end,
  }
end

-- %% 모델: 인코더, 샘플링, 디코더
local LATENT = 2
local inputs = nn.Input{shape = {784}, name = "image"}
local h = nn.Dense(256, {activation = "relu", name = "enc_hidden"})(inputs)
local z_mean = nn.Dense(LATENT, {name = "z_mean"})(h)
local z_log_var = nn.Dense(LATENT, {name = "z_log_var"})(h)
local sampling = Sampling(1 / 784)
local z = sampling({z_mean, z_log_var})
-- 디코더의 층은 변수로 남겨 두었다가 아래에서 새 입력에 다시 부른다
local dec_hidden = nn.Dense(256, {activation = "relu", name = "dec_hidden"})
local dec_out = nn.Dense(784, {activation = "sigmoid", name = "dec_out"})
local vae = nn.Model{inputs = inputs, outputs = dec_out(dec_hidden(z)), name = "vae"}
vae:summary()
book.value("vae_params", (vae:count_params()), "%d")

-- %% 학습
-- compile에 optimizer를 주지 않으면 케라스처럼 RMSprop(학습률 0.001)이지만,
-- VAE는 흔히 Adam으로 학습한다. 목표값은 입력 이미지 자신이다.
vae:compile{optimizer = "adam", loss = "binary_crossentropy"}
local hist = vae:fit(X, X, {epochs = epochs, batch_size = 128, verbose = 0})
local loss = hist.history.loss
for e = 1, epochs do print(("에포크 %2d  손실 %.4f"):format(e, loss[e])) end
book.value("vae_epochs", epochs, "%d")
book.value("vae_loss_first", loss[1], "%.4f")
book.value("vae_loss_last", loss[epochs], "%.4f")
-- 마지막 손실을 두 부분으로 나누어 본다 (시험 데이터, 학습하지 않는 평가)
local total = vae:evaluate(X_test, X_test, {verbose = 0, batch_size = n_test})
local kl = sampling.kl / 784
print(("시험 데이터: 손실 %.4f = 복원(BCE) %.4f + KL/784 %.4f"):format(total, total - kl, kl))
book.value("vae_rec_last", total - kl, "%.4f")
book.value("vae_kl_last", kl, "%.4f")
plot.history(hist, out "loss.png", {title = "VAE 학습 손실 (BCE + KL/784)",
                                    labels = {epoch = "에포크(epoch)", train = "훈련",
                                              loss = "손실(loss)"},
                                    caption = "변이형 오토인코더의 에포크별 학습 손실",
                                    label = "fig-vae-loss"})

-- %% 인코더와 디코더를 부분 모델로 떼어 내기
-- 인코더: 같은 그래프의 입력에서 z_mean까지. 층을 공유하므로 학습된 가중치 그대로이다.
local encoder = nn.Model{inputs = inputs, outputs = z_mean, name = "encoder"}
-- 디코더: 새 입력 노드에 VAE의 디코더 층을 다시 부른다 (가중치 공유).
local latent_in = nn.Input{shape = {LATENT}, name = "z"}
local decoder = nn.Model{inputs = latent_in, outputs = dec_out(dec_hidden(latent_in)), name = "decoder"}
local mu = encoder:predict(X_test)
local m1, m2 = mu:slice(2, 1, 1), mu:slice(2, 2, 2)
local spread = math.sqrt(((mu - mu:mean(1)) ^ 2):mean())
print(("시험 이미지 %d장의 잠재 평균 mu: 1축 %.2f .. %.2f, 2축 %.2f .. %.2f, 표준편차 %.2f")
      :format(n_test, m1:min(), m1:max(), m2:min(), m2:max(), spread))
book.value("vae_mu_spread", spread, "%.2f")
plot.scatter(mu, out "latent.png",
             {classes = y_test, class_names = NAMES_KO, size = 2, alpha = 0.6,
              title = "시험 이미지의 잠재 평균 (z_mean)", xlabel = "z1", ylabel = "z2",
              width = 720, height = 560,
              caption = "인코더가 시험 이미지를 보낸 2차원 잠재 공간의 평균 mu, 클래스별 색",
              fig_label = "fig-vae-latent"})

-- %% 잠재 공간의 격자에서 이미지 만들기
-- 사전분포 N(0, I)의 대부분이 들어가는 [-2.5, 2.5] 정사각형에 15×15 격자를 놓고
-- 각 점을 디코더로 이미지로 바꾼다. 위쪽 줄이 z2가 큰 쪽이다.
local G = 15
local grid = tensor.zeros(G * G, LATENT)
for r = 1, G do
  for c = 1, G do
    local i = (r - 1) * G + c
    grid:set(i, 1, -2.5 + 5 * (c - 1) / (G - 1))
    grid:set(i, 2, 2.5 - 5 * (r - 1) / (G - 1))
  end
end
local images = decoder:predict(grid):reshape(G * G, 28, 28)
plot.image_grid(images, out "grid.png",
                {cols = G, rows = G, title = "잠재 공간 격자에서 디코딩한 이미지 (z1, z2 ∈ [-2.5, 2.5])",
                 caption = "2차원 잠재 공간의 15×15 격자점을 디코더로 바꾼 이미지",
                 label = "fig-vae-grid"})

-- %% 복원과 무작위 생성
-- 위 두 줄: 시험 이미지와 그 복원(인코더의 mu를 디코딩). 아래 두 줄: N(0, I)에서
-- 뽑은 z를 디코딩한 새 이미지.
local n_show = 10
local originals = X_test:slice(1, 1, n_show)
local recon = decoder:predict(encoder:predict(originals))
local samples = decoder:predict(tensor.randn(2 * n_show, LATENT))
local rows = tensor.zeros(4 * n_show, 784)
rows:slice(1, 1, n_show):copy(originals)
rows:slice(1, n_show + 1, 2 * n_show):copy(recon)
rows:slice(1, 2 * n_show + 1, 4 * n_show):copy(samples)
plot.image_grid(rows:reshape(4 * n_show, 28, 28), out "samples.png",
                {cols = n_show, rows = 4,
                 title = "원본(1줄), 복원(2줄), N(0, I)에서 생성(3~4줄)",
                 caption = "VAE의 복원과 잠재 공간에서 뽑은 새 이미지",
                 label = "fig-vae-samples"})
local rec_err = ((recon - originals) ^ 2):mean()
print(("복원 10장의 평균 제곱 오차(MSE) %.4f"):format(rec_err))

-- LAB 12-1: 오토인코더로 3차원 롤 데이터를 2차원으로 줄이기.
-- 교재와 같은 구성이다: 3차원 점 1,500개로 된 롤 데이터를 만들고,
-- Dense(2) 인코더와 Dense(3) 디코더(활성화 함수 elu)를 이어 붙인
-- 오토인코더가 입력을 그대로 복원하도록 학습시킨다. 그런 다음 인코더만
-- 떼어 내어 2차원 잠재 표현(latent representation)을 그려 본다.
-- 실행: ./workbook run ch12/lab1.lua   (그림은 out/ch12/lab1/ 에 저장된다)
local tensor, nn, plot = require "tensor", require "nn", require "plot"
local book = require "book"
local roll = require "roll"       -- 같은 폴더의 roll.lua: 롤 데이터 만들기

tensor.seed(2024)

-- 1,500개 점을 30 에포크 학습해도 몇 초면 끝나므로 WORKBOOK_QUICK=1이어도 줄이지 않는다
local m, epochs = 1500, 30

-- %% 롤 데이터
-- X는 (1500, 3) 모양이고, u는 각 점이 롤의 안쪽 끝(0)에서 바깥 끝(1)까지
-- 어디쯤 있는지를 나타낸다. 그림의 색은 언제나 이 위치 u이다.
local X, u = roll.make(m)
print(("롤 데이터 %s, 위치 u의 범위 %.1f ~ %.1f"):format(table.concat(X:shape(), "x"), u:min(), u:max()))
roll.draw3d(X, u, out "roll.png", "3차원 롤 데이터",
            "LAB 12-1: 3차원 롤 데이터. 색은 롤의 안쪽 끝(0)에서 바깥 끝(1)까지의 위치 u이다.",
            "fig-ch12-roll")

-- %% 인코더와 디코더
-- 인코더는 3차원 입력을 2차원 코드로, 디코더는 2차원 코드를 다시 3차원으로 바꾼다.
-- 두 Sequential 모델을 다시 Sequential로 이어 붙이면 오토인코더가 된다.
local enc = nn.Sequential{nn.Dense(2, {input_shape = {3}, activation = "elu"})}
local dec = nn.Sequential{nn.Dense(3, {input_shape = {2}, activation = "elu"})}
local AE = nn.Sequential{enc, dec}
-- 옵티마이저를 주지 않으면 케라스처럼 기본값 RMSprop(학습률 0.001, rho 0.9)으로 학습한다
AE:compile{loss = "mse"}
AE:summary()
local opt = AE.optimizer
print(("옵티마이저: %s (learning_rate %g, rho %g, epsilon %g)"):format(
      opt.kind, opt.learning_rate, opt.rho, opt.epsilon))
book.value("ae_params", AE:count_params(), "%d")

-- %% 학습: 입력이 곧 목표
-- 오토인코더는 정답 레이블이 필요 없다. fit(X, X)처럼 입력 자신을 목표로 준다.
local history = AE:fit(X, X, {epochs = epochs, verbose = 0})
local loss = history.history.loss
local base = roll.mean_baseline(X)
print(("첫 에포크 손실 %.4f -> 마지막(%d) 에포크 손실 %.4f"):format(loss[1], epochs, loss[epochs]))
print(("기준선: 모든 점을 평균 한 점으로 복원할 때의 MSE %.4f"):format(base))
book.value("loss_first", loss[1], "%.3f")
book.value("loss_last", loss[epochs], "%.4f")
book.value("baseline", base, "%.3f")
plot.lines({{y = loss, label = "학습 손실 (MSE)"},
            {x = {1, epochs}, y = {base, base}, label = "평균 한 점으로 복원", color = "gray"}},
           out "loss.png",
           {title = "3-2-3 오토인코더의 학습 손실", xlabel = "에포크", ylabel = "MSE",
            caption = "LAB 12-1: 3-2-3 오토인코더의 학습 손실. 회색 선은 모든 점을 데이터의 평균으로 복원할 때의 오차이다.",
            label = "fig-ch12-ae1-loss"})

-- %% 잠재 표현 그리기
-- 학습이 끝나면 인코더만 떼어 내어 쓸 수 있다. enc:predict(X)가 2차원 코드이다.
local codes = enc:predict(X)
plot.scatter(codes, out "codes.png",
             {values = u, cmap = "viridis", colorbar_label = "롤 위의 위치 u", size = 3,
              title = "인코더가 만든 2차원 잠재 표현", xlabel = "코드 1", ylabel = "코드 2",
              caption = "LAB 12-1: 인코더가 만든 2차원 코드. 색은 3차원 롤에서와 같은 위치 u이다.",
              fig_label = "fig-ch12-ae1-codes"})

-- 디코더로 코드를 다시 3차원으로 복원해 본다
local rec = dec:predict(codes)
local rec_mse = (rec - X):square():mean()
print(("복원한 점과 원래 점의 평균 제곱 오차 %.4f"):format(rec_mse))
book.value("rec_mse", rec_mse, "%.4f")
roll.draw3d(rec, u, out "recovered.png", "2차원 코드에서 복원한 롤",
            "LAB 12-1: 2차원 코드를 디코더로 다시 3차원으로 복원한 점들", "fig-ch12-ae1-recovered")

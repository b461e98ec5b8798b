-- LAB 3-1 넘파이(NumPy) 대신 tensor: 배열 다루기
-- 교재 3.4-3.7절의 넘파이 예제를 워크북의 tensor 모듈로 옮겼다. 배열
-- 만들기, 브로드캐스팅(broadcasting), 인덱싱과 슬라이싱(slicing), 벡터화
-- 연산, 논리 인덱싱(boolean indexing)을 차례로 해 본다. 넘파이와 다른
-- 점은 주석에 적었다.
-- 실행: ./workbook run ch3/lab1.lua
local tensor, sys = require "tensor", require "sys"
local book = require "book"

-- 이름과 값을 한 줄에, 텐서는 다음 줄부터(모양과 함께) 보여 주는 도우미
local function show(name, v)
  if tensor.is_tensor(v) then
    print(name)
    print(v)
  else
    print(name .. "  " .. tostring(v))
  end
end

-- %% 3.4 배열 만들기
-- np.array([1, 2, 3])는 tensor{1, 2, 3}이다. 중첩된 표(table)는 다차원 배열이 된다.
local a = tensor{1, 2, 3}
show("a", a)
print(("차원(ndim) %d, 원소 수(size) %d"):format(a:dim(), a:numel()))
-- 넘파이는 정수로 된 배열을 정수 배열(int64)로 만들지만, 워크북의 텐서는
-- 언제나 32비트 실수(float32)이다. 신경망과 이미지가 모두 float32로
-- 계산되기 때문이다. 그래서 a:get(2)는 2가 아니라 2.0이다.
show("a:get(2)", a:get(2))
show("tensor.zeros(2, 3)", tensor.zeros(2, 3))
show("tensor.arange(0, 10, 2)  (np.arange(0, 10, 2))", tensor.arange(0, 10, 2))
show("tensor.linspace(0, 1, 5)", tensor.linspace(0, 1, 5))
show("tensor.arange(12):reshape(3, 4)", tensor.arange(12):reshape(3, 4))

-- %% 3.5 브로드캐스팅: 모양이 다른 배열끼리의 연산
local sal = tensor{240, 260, 220, 255}
show("sal + 100  (스칼라 100이 네 원소 모두에 더해진다)", sal + 100)
local m = tensor{{1, 2, 3}, {4, 5, 6}}
show("(2, 3) + (3,)  (행마다 같은 벡터를 더한다)", m + tensor{10, 20, 30})
show("(2, 3) + (2, 1)  (열마다 같은 값을 더한다)", m + tensor{{100}, {200}})
show("(3, 1) * (1, 4)  (둘 다 늘어나 구구단 표가 된다)",
     tensor{{1}, {2}, {3}} * tensor{{1, 2, 3, 4}})

-- %% 3.5 인덱싱과 슬라이싱
-- Lua의 위치는 1부터 센다. 넘파이의 scores[3:]는 네 번째 원소부터
-- 끝까지이므로 워크북에서는 slice(1, 4, -1): 1번 축의 4번째부터 마지막까지.
-- 넘파이의 끝 위치는 포함되지 않지만(반개구간), slice의 끝 위치는 포함된다.
local scores = tensor{58, 72, 93, 94, 89, 78, 99}
show("scores[3:]   -> scores:slice(1, 4, -1)", scores:slice(1, 4, -1))
show("scores[4:-1] -> scores:slice(1, 5, -2)", scores:slice(1, 5, -2))
local grid = tensor{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}
show("grid[0, 2] -> grid:get(1, 3)", grid:get(1, 3))
show("grid[0:2, 2:4] -> grid:slice(1, 1, 2):slice(2, 3, 4)",
     grid:slice(1, 1, 2):slice(2, 3, 4))
show("grid[1] (둘째 행) -> grid[2]", grid[2])
show("grid[:, 1] (둘째 열) -> grid:select(2, 2)", grid:select(2, 2))
-- 교재의 np_array[0:2][2:4]는 "0-1행을 자른 뒤 그 결과의 2-3행"이라
-- 넘파이에서는 빈 배열이 된다. 워크북에서 같은 축을 두 번 자르면 범위를
-- 벗어났다는 오류가 난다. 조용히 빈 결과를 주는 것보다 실수를 바로 알 수 있다.
local ok, err = pcall(function() return grid:slice(1, 1, 2):slice(1, 3, 4) end)
print("grid:slice(1, 1, 2):slice(1, 3, 4) -> " ..
      (ok and "빈 텐서" or ("오류: " .. tostring(err):gsub("^.-: ", ""))))

-- %% 축(axis)을 따라 줄이기
-- 넘파이의 axis=0(행 방향으로 모으기)은 워크북의 축 1이다. 축 번호도
-- 1부터 센다.
show("grid:sum(1)  (np.sum(axis=0): 열마다 합)", grid:sum(1))
show("grid:sum(2)  (np.sum(axis=1): 행마다 합)", grid:sum(2))
print(("grid:mean() %.2f, grid:std() %.4f (넘파이처럼 ddof = 0)")
      :format(grid:mean(), grid:std()))

-- %% 3.6 벡터화 연산: 반복문과 한 번의 연산
-- 같은 곱셈을 Lua 반복문으로 한 원소씩 하는 것과, 텐서 곱 한 번으로
-- 하는 것의 시간을 잰다. 잰 시간은 컴퓨터와 그때의 부하에 따라 달라진다.
tensor.seed(3)
local n = 1000000
local values, weights = tensor.rand(n), tensor.rand(n)
local vt, wt = values:totable(), weights:totable()

local t0 = sys.clock()
local loop = {}
for i = 1, n do loop[i] = vt[i] * wt[i] end            -- 원소 하나씩 (C 스타일)
local t_loop = sys.clock() - t0

t0 = sys.clock()
local vec = values * weights                           -- 한 번의 텐서 곱 (벡터화)
local t_vec = sys.clock() - t0

print(("원소 %d개의 곱: Lua 반복문 %.1f ms, 벡터화 %.1f ms")
      :format(n, t_loop * 1000, t_vec * 1000))
print("두 결과가 같은가: " .. tostring(math.abs(vec:get(12345) - loop[12345]) < 1e-6))
book.value("speedup_mul", t_loop / t_vec, "%.0f")

-- 행렬 곱도 마찬가지이다. 세 겹의 반복문(교재의 matmult_naive) 대신
-- matmul을 쓰면 최적화된 선형대수 라이브러리(OpenBLAS)가 계산한다.
local N = 150
local A, B = tensor.rand(N, N), tensor.rand(N, N)
local At, Bt = A:totable(), B:totable()
t0 = sys.clock()
local C = {}
for i = 1, N do
  local row = {}
  for j = 1, N do
    local s = 0
    for k = 1, N do s = s + At[i][k] * Bt[k][j] end
    row[j] = s
  end
  C[i] = row
end
local t_naive = sys.clock() - t0
t0 = sys.clock()
local C2 = A:matmul(B)
local t_blas = sys.clock() - t0
book.value("speedup_matmul", t_naive / t_blas, "%.0f")
print(("%dx%d 행렬 곱: 세 겹 반복문 %.1f ms, matmul %.2f ms, 두 결과의 차이 %.1e")
      :format(N, N, t_naive * 1000, t_blas * 1000, math.abs(C2:get(7, 9) - C[7][9])))

-- %% 3.7 논리 인덱싱: 조건으로 원소 고르기
-- 비교는 메서드(gt, lt, eq ...)로 쓴다. Lua의 > 와 == 는 참/거짓 하나만
-- 돌려줄 수 있기 때문이다. 결과는 0과 1로 된 텐서(마스크, mask)이고,
-- masked(mask)가 넘파이의 ages[ages > 20]이다.
local ages = tensor{18, 19, 25, 30, 28}
local older = ages:gt(20)
show("ages > 20 -> ages:gt(20)", older)
show("ages[ages > 20] -> ages:masked(ages:gt(20))", ages:masked(older))
local nine = tensor{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
show("nine[nine > 5]", nine:masked(nine:gt(5)))
-- Lua의 % 연산자는 숫자용이라, 2로 나눈 나머지는 x - floor(x / 2) * 2로 구한다
local even = (nine - (nine / 2):floor() * 2):eq(0)
show("nine[nine % 2 == 0]", nine:masked(even))
show("np.where(nine > 5, nine, 0) -> tensor.where(nine:gt(5), nine, 0)",
     tensor.where(nine:gt(5), nine, 0))
local clipped = nine:clone()
clipped:masked_set(clipped:gt(5), 5)                   -- nine[nine > 5] = 5
show("nine[nine > 5] = 5 -> masked_set", clipped)

-- %% 정렬과 세기
local s = tensor{3, 1, 2, 3, 3, 1}
show("sort", s:sort())
show("argsort (1부터 센 위치)", s:argsort())
local values_, counts = s:unique{return_counts = true}
show("unique 값", values_)
show("unique 개수", counts)

-- hog.lua - speed of image.hog with skimage's defaults (9 bins, 8x8
-- cells, 3x3 blocks, L2-Hys): a 25x25 patch (the LFW faces' size;
-- target at least 20x faster than skimage) and the whole 512x512 gray
-- astronaut (target under 5 ms).
-- Run: ./workbook run bench/hog.lua [repeats]. Prints; asserts nothing.
--
-- skimage 0.19.3 / NumPy 1.24.2 (Debian 12) on this machine, measured
-- twice (best of 7 timeit repeats each) with
--   /usr/bin/python3 -c "import timeit, numpy as np;
--     from skimage.feature import hog; from skimage import io, color;
--     p = np.random.default_rng(0).random((25, 25)).astype(np.float32);
--     print(min(timeit.repeat(lambda: hog(p), number=2000, repeat=7))/2000);
--     a = color.rgb2gray(io.imread('data/images/astronaut.png'))
--         .astype(np.float32);
--     print(min(timeit.repeat(lambda: hog(a), number=3, repeat=7))/3)"
-- gave 35-36 us per 25x25 patch (float64 LFW faces: 35 us too) and
-- 44-45.5 ms for the 512x512 image. The issue quotes ~130 us a patch.
local image, tensor, data, sys = require "image", require "tensor",
                                 require "data", require "sys"

-- many short rounds: on a shared machine the best one is the quiet one
local repeats = tonumber(arg and arg[1]) or 200
local SKIMAGE_PATCH_US, SKIMAGE_PHOTO_MS, ISSUE_PATCH_US = 35, 44, 130

-- best of `rounds` timings of n calls of f, in seconds per call
local function best(rounds, n, f)
  local t = math.huge
  for _ = 1, rounds do
    local t0 = sys.clock()
    for _ = 1, n do f() end
    t = math.min(t, (sys.clock() - t0) / n)
  end
  return t
end

tensor.seed(1)
local patch = tensor.rand(25, 25)
local photo = image.to_gray(image.load(data.path("images/astronaut.png")))
collectgarbage()
local us = best(repeats, 200, function() image.hog(patch) end) * 1e6
local ms = best(repeats, 1, function() image.hog(photo) end) * 1e3
local pic_ms = best(repeats, 1, function()
  image.hog(photo, {visualize = true})
end) * 1e3

print(("best of %d rounds; skimage 0.19.3's figures were measured with "
       .. "python3 (see this file's header)"):format(repeats))
print(("%-40s %9.2f us   skimage %5.1f us  (%.0fx; %.0fx the issue's "
       .. "%d us)"):format("hog 25x25 patch (81 features)", us,
  SKIMAGE_PATCH_US, SKIMAGE_PATCH_US / us, ISSUE_PATCH_US / us,
  ISSUE_PATCH_US))
print(("%-40s %9.2f ms   skimage %5.1f ms  (%.0fx)"):format(
  "hog 512x512 astronaut (311,364 features)", ms, SKIMAGE_PHOTO_MS,
  SKIMAGE_PHOTO_MS / ms))
print(("%-40s %9.2f ms"):format("hog 512x512 with visualize", pic_ms))

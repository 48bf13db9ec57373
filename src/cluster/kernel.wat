;; Winnow clustering kernel: WebAssembly SIMD (f32x4 products that rank candidates, f64x2 exact
;; sums). Assembled by `node bench/cluster.ts --build-kernel` into kernel.wasm and the base64 in
;; kernel-wasm.ts. Pointers are byte offsets into the exported memory. Row widths `w` are in
;; elements and are multiples of 4: float32 rows are w*4 bytes apart, float64 rows w*8. Plain
;; (non-relaxed) SIMD only, so every engine computes the same bits.
(module
  (memory (export "memory") 1)

  ;; out[i*ldo + c] = Σ_j x[i*w + j] · y[c*w + j] for i < m, c < k (float32). m must be even and
  ;; k a multiple of 4 (callers pad). A 2-row × 4-column register tile of 8 accumulators; the four
  ;; accumulators of a row are reduced together by a 4 × 4 transpose and stored as one vector.
  (func (export "gemm") (param $x i32) (param $m i32) (param $y i32) (param $k i32) (param $w i32)
    (param $out i32) (param $ldo i32)
    (local $i i32) (local $c i32) (local $p i32) (local $wb i32) (local $o i32) (local $r i32)
    (local $xr0 i32) (local $xr1 i32) (local $yr0 i32) (local $yr1 i32) (local $yr2 i32) (local $yr3 i32)
    (local $x0 v128) (local $x1 v128) (local $v v128) (local $u0 v128) (local $u1 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $xr0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $wb))))
      (local.set $xr1 (i32.add (local.get $xr0) (local.get $wb)))
      (local.set $c (i32.const 0))
      (block $cend (loop $cloop
        (br_if $cend (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $yr0 (i32.add (local.get $y) (i32.mul (local.get $c) (local.get $wb))))
        (local.set $yr1 (i32.add (local.get $yr0) (local.get $wb)))
        (local.set $yr2 (i32.add (local.get $yr1) (local.get $wb)))
        (local.set $yr3 (i32.add (local.get $yr2) (local.get $wb)))
        (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
        (local.set $a02 (v128.const i32x4 0 0 0 0)) (local.set $a03 (v128.const i32x4 0 0 0 0))
        (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
        (local.set $a12 (v128.const i32x4 0 0 0 0)) (local.set $a13 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (loop $jloop
          (local.set $x0 (v128.load (i32.add (local.get $xr0) (local.get $p))))
          (local.set $x1 (v128.load (i32.add (local.get $xr1) (local.get $p))))
          (local.set $v (v128.load (i32.add (local.get $yr0) (local.get $p))))
          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr1) (local.get $p))))
          (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr2) (local.get $p))))
          (local.set $a02 (f32x4.add (local.get $a02) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $a12 (f32x4.add (local.get $a12) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr3) (local.get $p))))
          (local.set $a03 (f32x4.add (local.get $a03) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $a13 (f32x4.add (local.get $a13) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $jloop (i32.lt_u (local.get $p) (local.get $wb))))
        ;; Row 0: [Σa00, Σa01, Σa02, Σa03] by interleaving pairs, adding, then halves.
        (local.set $u0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a00) (local.get $a01))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a00) (local.get $a01))))
        (local.set $u1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a02) (local.get $a03))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a02) (local.get $a03))))
        (local.set $o (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldo)) (local.get $c)) (i32.const 2))))
        (v128.store (local.get $o) (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1))))
        ;; Row 1.
        (local.set $u0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a10) (local.get $a11))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a10) (local.get $a11))))
        (local.set $u1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a12) (local.get $a13))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a12) (local.get $a13))))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $ldo) (i32.const 2))) (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $iloop))))

  ;; The memory row of block row i: idx[i] when idx ≥ 0 (a list of row numbers), else i.
  (func $row (param $idx i32) (param $i i32) (result i32)
    (if (result i32) (i32.ge_s (local.get $idx) (i32.const 0))
      (then (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
      (else (local.get $i))))

  ;; out[(a − a0)*k + b] = Σ_j (c[a*w + j] − c[b*w + j])² for a0 ≤ a < a1 and a < b < k: the squared
  ;; distances between the float64 rows of c (w wide), summed in two pairs of lanes.
  (func (export "pairs") (param $c i32) (param $k i32) (param $w i32) (param $a0 i32) (param $a1 i32)
    (param $out i32)
    (local $a i32) (local $b i32) (local $p i32) (local $q i32) (local $end i32) (local $wb i32)
    (local $d v128) (local $s0 v128) (local $s1 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 3)))
    (local.set $a (local.get $a0))
    (block $aend (loop $aloop
      (br_if $aend (i32.ge_u (local.get $a) (local.get $a1)))
      (local.set $b (i32.add (local.get $a) (i32.const 1)))
      (block $bend (loop $bloop
        (br_if $bend (i32.ge_u (local.get $b) (local.get $k)))
        (local.set $p (i32.add (local.get $c) (i32.mul (local.get $a) (local.get $wb))))
        (local.set $q (i32.add (local.get $c) (i32.mul (local.get $b) (local.get $wb))))
        (local.set $end (i32.add (local.get $p) (local.get $wb)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (loop $j
          (local.set $d (f64x2.sub (v128.load offset=0 (local.get $p)) (v128.load offset=0 (local.get $q))))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $d (f64x2.sub (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (br_if $j (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
        (f64.store (i32.add (local.get $out)
            (i32.shl (i32.add (i32.mul (i32.sub (local.get $a) (local.get $a0)) (local.get $k)) (local.get $b)) (i32.const 3)))
          (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bloop)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $aloop))))

  ;; Shifted copy of m rows (block row i is row $row(idx, i) of src): x' = src − shift (float32).
  ;; With sq = 0 the dst rows are [x'] (w wide), otherwise [x', x'²] (2w wide). norms[2i] = Σ x'², norms[2i + 1] = Σ x'⁴ (float32).
  (func (export "prep") (param $src i32) (param $m i32) (param $w i32) (param $shift i32)
    (param $dst i32) (param $sq i32) (param $norms i32) (param $idx i32)
    (local $i i32) (local $p i32) (local $wb i32) (local $db i32) (local $s i32) (local $d i32)
    (local $v v128) (local $v2 v128) (local $s2 v128) (local $s4 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $db (select (i32.shl (local.get $wb) (i32.const 1)) (local.get $wb) (local.get $sq)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $s (i32.add (local.get $src) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $db))))
      (local.set $s2 (v128.const i32x4 0 0 0 0))
      (local.set $s4 (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.const 0))
      (loop $jloop
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $p)))
          (v128.load (i32.add (local.get $shift) (local.get $p)))))
        (local.set $v2 (f32x4.mul (local.get $v) (local.get $v)))
        (v128.store (i32.add (local.get $d) (local.get $p)) (local.get $v))
        (if (local.get $sq) (then
          (v128.store (i32.add (i32.add (local.get $d) (local.get $wb)) (local.get $p)) (local.get $v2))))
        (local.set $s2 (f32x4.add (local.get $s2) (local.get $v2)))
        (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (local.get $v2) (local.get $v2))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $jloop (i32.lt_u (local.get $p) (local.get $wb))))
      ;; [s2 lanes 0+2, 1+3, s4 lanes 0+2, 1+3], then the two pairs.
      (local.set $v (f32x4.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s4))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s4))))
      (local.set $v (f32x4.add (local.get $v)
        (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v))))
      (local.set $p (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3))))
      (f32.store offset=0 (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
      (f32.store offset=4 (local.get $p) (f32x4.extract_lane 2 (local.get $v)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; labels[i] = argmin_c v_c and second[i] = the second smallest v_c, over c < kp, where
  ;; v_c = cn[c] − 2·out[i*ldo + c] (float32; padding columns must have cn = +∞). Four lanes keep
  ;; their own best and second best; the lowest index wins a tie.
  (func (export "argmin") (param $out i32) (param $m i32) (param $kp i32) (param $ldo i32)
    (param $cn i32) (param $labels i32) (param $second i32)
    (local $i i32) (local $c i32) (local $row i32) (local $v v128) (local $lt v128)
    (local $best v128) (local $snd v128) (local $bidx v128) (local $idx v128)
    (local $b f32) (local $bi i32) (local $s f32) (local $l f32) (local $li i32)
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $ldo)) (i32.const 2))))
      (local.set $best (v128.const f32x4 inf inf inf inf))
      (local.set $snd (v128.const f32x4 inf inf inf inf))
      (local.set $idx (v128.const i32x4 0 1 2 3))
      (local.set $bidx (local.get $idx))
      (local.set $c (i32.const 0))
      (block $cend (loop $cloop
        (br_if $cend (i32.ge_u (local.get $c) (local.get $kp)))
        (local.set $v (f32x4.sub
          (v128.load (i32.add (local.get $cn) (i32.shl (local.get $c) (i32.const 2))))
          (f32x4.mul (v128.const f32x4 2 2 2 2)
            (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $lt (f32x4.lt (local.get $v) (local.get $best)))
        (local.set $snd (v128.bitselect (local.get $best) (f32x4.pmin (local.get $snd) (local.get $v)) (local.get $lt)))
        (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $lt)))
        (local.set $bidx (v128.bitselect (local.get $idx) (local.get $bidx) (local.get $lt)))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      ;; Merge lanes 1..3 into lane 0's (best, index, second).
      (local.set $b (f32x4.extract_lane 0 (local.get $best)))
      (local.set $bi (i32x4.extract_lane 0 (local.get $bidx)))
      (local.set $s (f32x4.extract_lane 0 (local.get $snd)))
      (local.set $l (f32x4.extract_lane 1 (local.get $best)))
      (local.set $li (i32x4.extract_lane 1 (local.get $bidx)))
      (local.set $s (f32.min (local.get $s) (f32x4.extract_lane 1 (local.get $snd))))
      (if (i32.or (f32.lt (local.get $l) (local.get $b))
            (i32.and (f32.eq (local.get $l) (local.get $b)) (i32.lt_s (local.get $li) (local.get $bi))))
        (then (local.set $s (f32.min (local.get $s) (local.get $b)))
          (local.set $b (local.get $l)) (local.set $bi (local.get $li)))
        (else (local.set $s (f32.min (local.get $s) (local.get $l)))))
      (local.set $l (f32x4.extract_lane 2 (local.get $best)))
      (local.set $li (i32x4.extract_lane 2 (local.get $bidx)))
      (local.set $s (f32.min (local.get $s) (f32x4.extract_lane 2 (local.get $snd))))
      (if (i32.or (f32.lt (local.get $l) (local.get $b))
            (i32.and (f32.eq (local.get $l) (local.get $b)) (i32.lt_s (local.get $li) (local.get $bi))))
        (then (local.set $s (f32.min (local.get $s) (local.get $b)))
          (local.set $b (local.get $l)) (local.set $bi (local.get $li)))
        (else (local.set $s (f32.min (local.get $s) (local.get $l)))))
      (local.set $l (f32x4.extract_lane 3 (local.get $best)))
      (local.set $li (i32x4.extract_lane 3 (local.get $bidx)))
      (local.set $s (f32.min (local.get $s) (f32x4.extract_lane 3 (local.get $snd))))
      (if (i32.or (f32.lt (local.get $l) (local.get $b))
            (i32.and (f32.eq (local.get $l) (local.get $b)) (i32.lt_s (local.get $li) (local.get $bi))))
        (then (local.set $s (f32.min (local.get $s) (local.get $b)))
          (local.set $b (local.get $l)) (local.set $bi (local.get $li)))
        (else (local.set $s (f32.min (local.get $s) (local.get $l)))))
      (i32.store (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))) (local.get $bi))
      (f32.store (i32.add (local.get $second) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; int16 copies of m shifted rows for gemm16 (block row i is row $row(idx, i) of src, float32, w
  ;; wide): x' = src − shift (float32), a = max_j |x'_j| / lv and q_j = x'_j · (lv / max_j |x'_j|)
  ;; rounded to the nearest integer (by adding 1.5·2²³), so |q_j| ≤ lv; dst rows are w16 int16 wide
  ;; (w16 = w or w + 4, zeros beyond w). stats[4i .. 4i + 2] (float32) = a, Σ_j |q_j|, Σ_j x'²_j.
  ;; A zero row has a = 0 and q = 0; a row with a NaN, or whose |x'_j| are all ≤ 2⁻¹⁰⁰ and not all 0,
  ;; gets a = NaN (argmin16 leaves it open). Two vectors a step, the last one alone when w is not a
  ;; multiple of 8.
  (func (export "quant") (param $src i32) (param $m i32) (param $w i32) (param $shift i32)
    (param $idx i32) (param $lv f32) (param $dst i32) (param $w16 i32) (param $stats i32)
    (local $i i32) (local $p i32) (local $wb i32) (local $w2 i32) (local $s i32) (local $d i32) (local $o i32)
    (local $v v128) (local $u v128) (local $mx v128) (local $mx2 v128) (local $s2 v128) (local $s3 v128)
    (local $inv v128) (local $q v128) (local $r v128) (local $qa v128)
    (local $max f32)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $w2 (i32.and (local.get $wb) (i32.const -32)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $s (i32.add (local.get $src) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $i) (i32.shl (local.get $w16) (i32.const 1)))))
      ;; max |x'| on the float bits without the sign (integer max: ordered like the floats), Σx'².
      (local.set $mx (v128.const i32x4 0 0 0 0))
      (local.set $mx2 (v128.const i32x4 0 0 0 0))
      (local.set $s2 (v128.const i32x4 0 0 0 0))
      (local.set $s3 (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.const 0))
      (block $jend (loop $j
        (br_if $jend (i32.ge_u (local.get $p) (local.get $w2)))
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $p)))
          (v128.load (i32.add (local.get $shift) (local.get $p)))))
        (local.set $u (f32x4.sub (v128.load offset=16 (i32.add (local.get $s) (local.get $p)))
          (v128.load offset=16 (i32.add (local.get $shift) (local.get $p)))))
        (local.set $mx (i32x4.max_s (local.get $mx) (v128.and (local.get $v) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
        (local.set $mx2 (i32x4.max_s (local.get $mx2) (v128.and (local.get $u) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
        (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $j)))
      (if (i32.lt_u (local.get $p) (local.get $wb)) (then
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $p)))
          (v128.load (i32.add (local.get $shift) (local.get $p)))))
        (local.set $mx (i32x4.max_s (local.get $mx) (v128.and (local.get $v) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
        (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $v) (local.get $v))))))
      (local.set $mx (i32x4.max_s (local.get $mx) (local.get $mx2)))
      (local.set $s2 (f32x4.add (local.get $s2) (local.get $s3)))
      (local.set $mx (i32x4.max_s (local.get $mx)
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mx) (local.get $mx))))
      (local.set $mx (i32x4.max_s (local.get $mx)
        (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $mx) (local.get $mx))))
      (local.set $max (f32x4.extract_lane 0 (local.get $mx)))
      (local.set $inv (f32x4.splat (select (f32.div (local.get $lv) (local.get $max)) (f32.const 0)
        (f32.gt (local.get $max) (f32.const 0x1p-100)))))
      (local.set $qa (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.const 0))
      (block $kend (loop $k
        (br_if $kend (i32.ge_u (local.get $p) (local.get $w2)))
        (local.set $q (i32x4.sub (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $p)))
          (v128.load (i32.add (local.get $shift) (local.get $p)))) (local.get $inv))
          (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)))
        (local.set $r (i32x4.sub (f32x4.add (f32x4.mul (f32x4.sub (v128.load offset=16 (i32.add (local.get $s) (local.get $p)))
          (v128.load offset=16 (i32.add (local.get $shift) (local.get $p)))) (local.get $inv))
          (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)))
        (local.set $qa (i32x4.add (local.get $qa) (i32x4.add (i32x4.abs (local.get $q)) (i32x4.abs (local.get $r)))))
        (v128.store (i32.add (local.get $d) (i32.shr_u (local.get $p) (i32.const 1)))
          (i16x8.narrow_i32x4_s (local.get $q) (local.get $r)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $k)))
      (if (i32.lt_u (local.get $p) (local.get $wb)) (then
        (local.set $q (i32x4.sub (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $p)))
          (v128.load (i32.add (local.get $shift) (local.get $p)))) (local.get $inv))
          (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)))
        (local.set $qa (i32x4.add (local.get $qa) (i32x4.abs (local.get $q))))
        ;; The last 4 values, and the 4 zeros of the padding.
        (v128.store (i32.add (local.get $d) (i32.shr_u (local.get $p) (i32.const 1)))
          (i16x8.narrow_i32x4_s (local.get $q) (v128.const i32x4 0 0 0 0)))))
      (local.set $o (i32.add (local.get $stats) (i32.shl (local.get $i) (i32.const 4))))
      (f32.store offset=0 (local.get $o) (select (f32.div (local.get $max) (local.get $lv))
        (select (f32.const 0) (f32.const nan) (f32.eq (local.get $max) (f32.const 0)))
        (f32.gt (local.get $max) (f32.const 0x1p-100))))
      (f32.store offset=4 (local.get $o) (f32.convert_i32_s (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $qa)) (i32x4.extract_lane 1 (local.get $qa)))
        (i32.add (i32x4.extract_lane 2 (local.get $qa)) (i32x4.extract_lane 3 (local.get $qa))))))
      (f32.store offset=8 (local.get $o) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $s2)) (f32x4.extract_lane 1 (local.get $s2)))
        (f32.add (f32x4.extract_lane 2 (local.get $s2)) (f32x4.extract_lane 3 (local.get $s2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; out[i*ldo + c] = Σ_j x_i[j] · y[c*w + j] for i < m, c < k, of int16 rows w wide (a multiple of
  ;; 8; x_i is row $row(idx, i) of x, and with m odd block row m is read too), as float32: each of a
  ;; row's 4 × 4 int32 lane sums is exact (callers keep (w/4)·max|x|·max|y| below 2³¹) and converted
  ;; before the 4 × 4 transpose that adds them. The tiles of gemm.
  (func (export "gemm16") (param $x i32) (param $m i32) (param $y i32) (param $k i32) (param $w i32)
    (param $out i32) (param $ldo i32) (param $idx i32)
    (local $i i32) (local $c i32) (local $p i32) (local $wb i32) (local $o i32)
    (local $xr0 i32) (local $xr1 i32) (local $yr0 i32) (local $yr1 i32) (local $yr2 i32) (local $yr3 i32)
    (local $x0 v128) (local $x1 v128) (local $v v128) (local $u0 v128) (local $u1 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 1)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $xr0 (i32.add (local.get $x) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $xr1 (i32.add (local.get $x) (i32.mul (call $row (local.get $idx) (i32.add (local.get $i) (i32.const 1)))
        (local.get $wb))))
      (local.set $c (i32.const 0))
      (block $cend (loop $cloop
        (br_if $cend (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $yr0 (i32.add (local.get $y) (i32.mul (local.get $c) (local.get $wb))))
        (local.set $yr1 (i32.add (local.get $yr0) (local.get $wb)))
        (local.set $yr2 (i32.add (local.get $yr1) (local.get $wb)))
        (local.set $yr3 (i32.add (local.get $yr2) (local.get $wb)))
        (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
        (local.set $a02 (v128.const i32x4 0 0 0 0)) (local.set $a03 (v128.const i32x4 0 0 0 0))
        (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
        (local.set $a12 (v128.const i32x4 0 0 0 0)) (local.set $a13 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (loop $jloop
          (local.set $x0 (v128.load (i32.add (local.get $xr0) (local.get $p))))
          (local.set $x1 (v128.load (i32.add (local.get $xr1) (local.get $p))))
          (local.set $v (v128.load (i32.add (local.get $yr0) (local.get $p))))
          (local.set $a00 (i32x4.add (local.get $a00) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
          (local.set $a10 (i32x4.add (local.get $a10) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr1) (local.get $p))))
          (local.set $a01 (i32x4.add (local.get $a01) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
          (local.set $a11 (i32x4.add (local.get $a11) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr2) (local.get $p))))
          (local.set $a02 (i32x4.add (local.get $a02) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
          (local.set $a12 (i32x4.add (local.get $a12) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $yr3) (local.get $p))))
          (local.set $a03 (i32x4.add (local.get $a03) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
          (local.set $a13 (i32x4.add (local.get $a13) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $jloop (i32.lt_u (local.get $p) (local.get $wb))))
        (local.set $a00 (f32x4.convert_i32x4_s (local.get $a00))) (local.set $a01 (f32x4.convert_i32x4_s (local.get $a01)))
        (local.set $a02 (f32x4.convert_i32x4_s (local.get $a02))) (local.set $a03 (f32x4.convert_i32x4_s (local.get $a03)))
        (local.set $a10 (f32x4.convert_i32x4_s (local.get $a10))) (local.set $a11 (f32x4.convert_i32x4_s (local.get $a11)))
        (local.set $a12 (f32x4.convert_i32x4_s (local.get $a12))) (local.set $a13 (f32x4.convert_i32x4_s (local.get $a13)))
        (local.set $u0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a00) (local.get $a01))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a00) (local.get $a01))))
        (local.set $u1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a02) (local.get $a03))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a02) (local.get $a03))))
        (local.set $o (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldo)) (local.get $c)) (i32.const 2))))
        (v128.store (local.get $o) (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1))))
        (local.set $u0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a10) (local.get $a11))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a10) (local.get $a11))))
        (local.set $u1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a12) (local.get $a13))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a12) (local.get $a13))))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $ldo) (i32.const 2))) (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $iloop))))

  ;; out[i] = Σ_j x_i[j] · y_l[j] (float32, summed like gemm16) for block rows i < m, where x_i is
  ;; row $row(idx, i) of x and l = labels[i]: int16 rows w wide, a multiple of 8.
  (func (export "own16") (param $x i32) (param $idx i32) (param $m i32) (param $w i32) (param $y i32)
    (param $labels i32) (param $out i32)
    (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $wb i32) (local $a v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 1)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.add (local.get $x) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $q (i32.add (local.get $y) (i32.mul (local.get $wb)
        (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $end (i32.add (local.get $p) (local.get $wb)))
      (local.set $a (v128.const i32x4 0 0 0 0))
      (loop $j
        (local.set $a (i32x4.add (local.get $a) (i32x4.dot_i16x8_s (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br_if $j (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $a (f32x4.convert_i32x4_s (local.get $a)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
        (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; The nearest centroid from gemm16's products, with a bound on their error. Per row i, from
  ;; stats row $row(rows, i) (quant: a, Q = Σ|q|, n2 = Σx'²) and per column c, from cv (five float32 vectors of kp:
  ;; cn = ‖y_c‖² (+∞ for padding), b = the column's scale, P = its error term, cu = a rounding term,
  ;; rc = √cn; 0 for padding): v_c = cn − 2ab·out[i*ldo + c] within
  ;; e_c = ab(1 + 2⁻¹⁶)(Q + P) + cu + eu·√n2·rc (eu is a relative term), and the lane scheme of argmin.
  ;; labels[i] = the c with the smallest v_c (the lowest index on a tie) when every other c has
  ;; v_c − e_c above its v + e, else −1 − that c; second[i] = min over the others of v_c − e_c.
  (func (export "argmin16") (param $out i32) (param $m i32) (param $kp i32) (param $ldo i32)
    (param $cv i32) (param $stats i32) (param $eu f32) (param $labels i32) (param $second i32) (param $rows i32)
    (local $i i32) (local $c i32) (local $row i32) (local $cb i32) (local $o i32)
    (local $v v128) (local $e v128) (local $lo v128) (local $lt v128) (local $ab v128) (local $q v128) (local $rx v128)
    (local $best v128) (local $bhi v128) (local $blo v128) (local $snd v128) (local $bidx v128) (local $idx v128)
    (local $b f32) (local $bi i32) (local $hi f32) (local $bl f32) (local $s f32) (local $l f32) (local $li i32)
    (local $lane i32)
    (local.set $cb (i32.shl (local.get $kp) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $ldo)) (i32.const 2))))
      (local.set $o (i32.add (local.get $stats) (i32.shl (call $row (local.get $rows) (local.get $i)) (i32.const 4))))
      (local.set $ab (f32x4.splat (f32.load offset=0 (local.get $o))))
      (local.set $q (f32x4.splat (f32.load offset=4 (local.get $o))))
      (local.set $rx (f32x4.splat (f32.mul (local.get $eu) (f32.sqrt (f32.load offset=8 (local.get $o))))))
      (local.set $best (v128.const f32x4 inf inf inf inf))
      (local.set $bhi (v128.const f32x4 inf inf inf inf))
      (local.set $blo (v128.const f32x4 inf inf inf inf))
      (local.set $snd (v128.const f32x4 inf inf inf inf))
      (local.set $idx (v128.const i32x4 0 1 2 3))
      (local.set $bidx (local.get $idx))
      (local.set $c (i32.const 0))
      (block $cend (loop $cloop
        (br_if $cend (i32.ge_u (local.get $c) (local.get $kp)))
        (local.set $o (i32.add (local.get $cv) (i32.shl (local.get $c) (i32.const 2))))
        ;; a·b_c, then v = cn − 2ab·S and e = ab(Q + P) + cu + rx·rc.
        (local.set $e (f32x4.mul (local.get $ab) (v128.load (i32.add (local.get $o) (local.get $cb)))))
        (local.set $v (f32x4.sub (v128.load (local.get $o))
          (f32x4.mul (f32x4.add (local.get $e) (local.get $e))
            (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $cb) (i32.const 1))))
        (local.set $e (f32x4.add
          (f32x4.mul (f32x4.mul (local.get $e) (v128.const f32x4 1.0000153 1.0000153 1.0000153 1.0000153))
            (f32x4.add (local.get $q) (v128.load (local.get $o))))
          (f32x4.add (v128.load (i32.add (local.get $o) (local.get $cb)))
            (f32x4.mul (local.get $rx) (v128.load (i32.add (local.get $o) (i32.shl (local.get $cb) (i32.const 1))))))))
        (local.set $lo (f32x4.sub (local.get $v) (local.get $e)))
        (local.set $lt (f32x4.lt (local.get $v) (local.get $best)))
        (local.set $snd (f32x4.pmin (local.get $snd) (v128.bitselect (local.get $blo) (local.get $lo) (local.get $lt))))
        (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $lt)))
        (local.set $blo (v128.bitselect (local.get $lo) (local.get $blo) (local.get $lt)))
        (local.set $bhi (v128.bitselect (f32x4.add (local.get $v) (local.get $e)) (local.get $bhi) (local.get $lt)))
        (local.set $bidx (v128.bitselect (local.get $idx) (local.get $bidx) (local.get $lt)))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      ;; Lane 0, then lanes 1..3 merged in: the lower v (the lower index on a tie) is the best.
      (local.set $b (f32x4.extract_lane 0 (local.get $best)))
      (local.set $bi (i32x4.extract_lane 0 (local.get $bidx)))
      (local.set $hi (f32x4.extract_lane 0 (local.get $bhi)))
      (local.set $bl (f32x4.extract_lane 0 (local.get $blo)))
      (local.set $s (f32x4.extract_lane 0 (local.get $snd)))
      (local.set $lane (i32.const 1))
      (loop $merge
        ;; Lane values by a byte shuffle is not indexable: rotate the vectors by one lane instead.
        (local.set $best (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $best) (local.get $best)))
        (local.set $bidx (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $bidx) (local.get $bidx)))
        (local.set $bhi (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $bhi) (local.get $bhi)))
        (local.set $blo (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $blo) (local.get $blo)))
        (local.set $snd (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $snd) (local.get $snd)))
        (local.set $l (f32x4.extract_lane 0 (local.get $best)))
        (local.set $li (i32x4.extract_lane 0 (local.get $bidx)))
        (local.set $s (f32.min (local.get $s) (f32x4.extract_lane 0 (local.get $snd))))
        (if (i32.or (f32.lt (local.get $l) (local.get $b))
              (i32.and (f32.eq (local.get $l) (local.get $b)) (i32.lt_s (local.get $li) (local.get $bi))))
          (then (local.set $s (f32.min (local.get $s) (local.get $bl)))
            (local.set $b (local.get $l)) (local.set $bi (local.get $li))
            (local.set $hi (f32x4.extract_lane 0 (local.get $bhi)))
            (local.set $bl (f32x4.extract_lane 0 (local.get $blo))))
          (else (local.set $s (f32.min (local.get $s) (f32x4.extract_lane 0 (local.get $blo))))))
        (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
        (br_if $merge (i32.lt_u (local.get $lane) (i32.const 4))))
      (i32.store (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))
        (select (local.get $bi) (i32.sub (i32.const -1) (local.get $bi)) (f32.gt (local.get $s) (local.get $hi))))
      (f32.store (i32.add (local.get $second) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; For block rows i < m (row $row(idx, i) of x) with label l = labels[i]: dist[i] = Σ_j (x_ij −
  ;; c_lj)² in float64, summed as (lanes 0 + 2) + (lanes 1 + 3) like the JS kernel. mode 1: sums_l
  ;; += x_i; mode 2: when p = prev[i] differs from l, sums_p −= x_i (if p ≥ 0) and sums_l += x_i.
  ;; x rows are float32 (w wide), c and sums rows float64.
  (func (export "finish") (param $x i32) (param $m i32) (param $w i32) (param $labels i32)
    (param $prev i32) (param $c i32) (param $sums i32) (param $dist i32) (param $mode i32) (param $idx i32)
    (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $l i32) (local $from i32) (local $wb i32)
    (local $v v128) (local $d v128) (local $s0 v128) (local $s1 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.add (local.get $x) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $end (i32.add (local.get $p) (local.get $wb)))
      (local.set $l (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $q (i32.add (local.get $c) (i32.shl (i32.mul (local.get $l) (local.get $w)) (i32.const 3))))
      (local.set $s0 (v128.const i32x4 0 0 0 0))
      (local.set $s1 (v128.const i32x4 0 0 0 0))
      (loop $j
        (local.set $v (v128.load (local.get $p)))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (v128.load offset=0 (local.get $q))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
          (v128.load offset=16 (local.get $q))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br_if $j (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
      (f64.store (i32.add (local.get $dist) (i32.shl (local.get $i) (i32.const 3)))
        (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
      (local.set $p (i32.sub (local.get $end) (i32.shl (local.get $w) (i32.const 2))))
      (local.set $from (i32.const -1))
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then (local.set $from (i32.load (i32.add (local.get $prev) (i32.shl (local.get $i) (i32.const 2)))))))
      (if (i32.and (i32.ne (local.get $mode) (i32.const 0)) (i32.ne (local.get $from) (local.get $l))) (then
        (call $axpy (local.get $p) (local.get $w) (f64.const 1)
          (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $l) (local.get $w)) (i32.const 3))))
        (if (i32.ge_s (local.get $from) (i32.const 0)) (then
          (call $axpy (local.get $p) (local.get $w) (f64.const -1)
            (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $from) (local.get $w)) (i32.const 3))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; sum[j] += a·x[j] (x float32 w wide, a = ±1, sum float64).
  (func $axpy (param $x i32) (param $w i32) (param $a f64) (param $sum i32)
    (local $end i32) (local $v v128) (local $av v128)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $w) (i32.const 2))))
    (loop $j
      (local.set $v (v128.load (local.get $x)))
      (v128.store offset=0 (local.get $sum) (f64x2.add (v128.load offset=0 (local.get $sum))
        (f64x2.mul (local.get $av) (f64x2.promote_low_f32x4 (local.get $v)))))
      (v128.store offset=16 (local.get $sum) (f64x2.add (v128.load offset=16 (local.get $sum))
        (f64x2.mul (local.get $av) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $sum (i32.add (local.get $sum) (i32.const 32)))
      (br_if $j (i32.lt_u (local.get $x) (local.get $end)))))

  ;; Row i of dst = row idx[i] of src, for i < m (float32 rows w wide; src and dst do not overlap).
  (func (export "gather") (param $src i32) (param $idx i32) (param $m i32) (param $w i32) (param $dst i32)
    (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $wb i32)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $q (local.get $dst))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $wb)
        (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $end (i32.add (local.get $p) (local.get $wb)))
      (loop $j
        (v128.store (local.get $q) (v128.load (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br_if $j (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; out[i] = Σ_j (x_ij − origin_j)² for block rows i < m (row $row(idx, i) of x), in float64 like
  ;; finish's distances.
  (func (export "rownorms") (param $x i32) (param $m i32) (param $w i32) (param $origin i32) (param $out i32)
    (param $idx i32)
    (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $wb i32) (local $v v128) (local $d v128)
    (local $s0 v128) (local $s1 v128)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.add (local.get $x) (i32.mul (call $row (local.get $idx) (local.get $i)) (local.get $wb))))
      (local.set $end (i32.add (local.get $p) (local.get $wb)))
      (local.set $q (local.get $origin))
      (local.set $s0 (v128.const i32x4 0 0 0 0))
      (local.set $s1 (v128.const i32x4 0 0 0 0))
      (loop $j
        (local.set $v (v128.load (local.get $p)))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (v128.load offset=0 (local.get $q))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
          (v128.load offset=16 (local.get $q))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br_if $j (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; Mixture candidates of rows i < m: with e_c = out[i*ldo + c] + cst[c] (float64; cst holds
  ;; the per-component constants), the components c < k with e_c ≥ max_c e_c − (tail + 2·err),
  ;; where err = gamma·(√norms[2i]·maxB + ½√norms[2i + 1]·maxA) bounds the float32 error of a
  ;; product row; every component when max or err is not finite. Writes comps[i*k + t] (t <
  ;; counts[i]) in ascending order.
  (func (export "candidates") (param $out i32) (param $m i32) (param $k i32) (param $ldo i32)
    (param $cst i32) (param $norms i32) (param $gamma f64) (param $maxA f64) (param $maxB f64)
    (param $tail f64) (param $comps i32) (param $counts i32)
    (local $i i32) (local $c i32) (local $row i32) (local $cnt i32) (local $dst i32) (local $all i32)
    (local $e f64) (local $max f64) (local $err f64) (local $thr f64)
    (local.set $i (i32.const 0))
    (block $iend (loop $iloop
      (br_if $iend (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $ldo)) (i32.const 2))))
      (local.set $max (f64.const -inf))
      (local.set $c (i32.const 0))
      (block $cend (loop $cloop
        (br_if $cend (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $e (f64.add
          (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))
          (f64.load (i32.add (local.get $cst) (i32.shl (local.get $c) (i32.const 3))))))
        (if (f64.gt (local.get $e) (local.get $max)) (then (local.set $max (local.get $e))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop)))
      (local.set $err (f64.mul (local.get $gamma) (f64.add
        (f64.mul (f64.sqrt (f64.promote_f32 (f32.load offset=0
          (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))) (local.get $maxB))
        (f64.mul (f64.mul (f64.const 0.5) (f64.sqrt (f64.promote_f32 (f32.load offset=4
          (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3))))))) (local.get $maxA)))))
      ;; all = !(−∞ < max < ∞ and err < ∞)
      (local.set $all (i32.eqz (i32.and
        (i32.and (f64.gt (local.get $max) (f64.const -inf)) (f64.lt (local.get $max) (f64.const inf)))
        (f64.lt (local.get $err) (f64.const inf)))))
      (local.set $thr (f64.sub (local.get $max)
        (f64.add (local.get $tail) (f64.mul (f64.const 2) (local.get $err)))))
      (local.set $dst (i32.add (local.get $comps) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
      (local.set $cnt (i32.const 0))
      (local.set $c (i32.const 0))
      (block $cend2 (loop $cloop2
        (br_if $cend2 (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $e (f64.add
          (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))
          (f64.load (i32.add (local.get $cst) (i32.shl (local.get $c) (i32.const 3))))))
        (if (i32.or (local.get $all) (f64.ge (local.get $e) (local.get $thr))) (then
          (i32.store (i32.add (local.get $dst) (i32.shl (local.get $cnt) (i32.const 2))) (local.get $c))
          (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop2)))
      (i32.store (i32.add (local.get $counts) (i32.shl (local.get $i) (i32.const 2))) (local.get $cnt))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; Σ_j a[j]·(x[j] − mu[j])², x float32, mu and a float64, summed in float64 as
  ;; (lanes 0 + 2) + (lanes 1 + 3) like the JS kernel.
  (func (export "wsqdist") (param $x i32) (param $mu i32) (param $a i32) (param $w i32) (result f64)
    (local $p i32) (local $q i32) (local $r i32) (local $end i32) (local $v v128) (local $d v128)
    (local $s0 v128) (local $s1 v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $w) (i32.const 2))))
    (local.set $p (local.get $x))
    (local.set $q (local.get $mu))
    (local.set $r (local.get $a))
    (loop $l
      (local.set $v (v128.load (local.get $p)))
      (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (v128.load offset=0 (local.get $q))))
      (local.set $s0 (f64x2.add (local.get $s0)
        (f64x2.mul (v128.load offset=0 (local.get $r)) (f64x2.mul (local.get $d) (local.get $d)))))
      (local.set $d (f64x2.sub (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
        (v128.load offset=16 (local.get $q))))
      (local.set $s1 (f64x2.add (local.get $s1)
        (f64x2.mul (v128.load offset=16 (local.get $r)) (f64x2.mul (local.get $d) (local.get $d)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (local.set $r (i32.add (local.get $r) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))

  ;; sx[j] += r·x[j]; sxx[j] += (r·x[j])·x[j] (x float32; r, sx and sxx float64).
  (func (export "addrow2") (param $x i32) (param $r f64) (param $sx i32) (param $sxx i32) (param $w i32)
    (local $p i32) (local $q i32) (local $end i32) (local $v v128) (local $rv v128) (local $d v128)
    (local $rd v128)
    (local.set $rv (f64x2.splat (local.get $r)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $w) (i32.const 2))))
    (local.set $p (local.get $x))
    (local.set $q (i32.const 0))
    (loop $l
      (local.set $v (v128.load (local.get $p)))
      (local.set $d (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $rd (f64x2.mul (local.get $rv) (local.get $d)))
      (v128.store offset=0 (i32.add (local.get $sx) (local.get $q))
        (f64x2.add (v128.load offset=0 (i32.add (local.get $sx) (local.get $q))) (local.get $rd)))
      (v128.store offset=0 (i32.add (local.get $sxx) (local.get $q))
        (f64x2.add (v128.load offset=0 (i32.add (local.get $sxx) (local.get $q)))
          (f64x2.mul (local.get $rd) (local.get $d))))
      (local.set $d (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
      (local.set $rd (f64x2.mul (local.get $rv) (local.get $d)))
      (v128.store offset=16 (i32.add (local.get $sx) (local.get $q))
        (f64x2.add (v128.load offset=16 (i32.add (local.get $sx) (local.get $q))) (local.get $rd)))
      (v128.store offset=16 (i32.add (local.get $sxx) (local.get $q))
        (f64x2.add (v128.load offset=16 (i32.add (local.get $sxx) (local.get $q)))
          (f64x2.mul (local.get $rd) (local.get $d))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
)

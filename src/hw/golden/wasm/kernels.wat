;; SIMD inner kernels of the golden conv/dense (src/hw/golden/wasm/simd.ts drives them;
;; the terms are docs/integer-ops.md §2 as defined in src/arith/datapath.ts). Flat text,
;; assembled by scripts/wat.ts (scripts/build-golden-wasm.ts writes kernels-bytes.ts).
;;
;; Layout: a patch matrix of `pixels` rows and a weight matrix of `channels` rows, both
;; rowBytes apart, each row K values then zeros up to the row's end (a zero pair adds
;; 0 to both Σ x·w and Σ |x − w|); out[p·channels + oc] (i32) = the row pair's sum.
;; rowBytes is a multiple of 32. i32 lanes wrap (mod 2^32): the caller takes a kernel
;; only when the exact sum fits i32, so the wrapped sum is the exact one (simd.ts).
(module
  (memory (export "memory") 1)

  ;; im2col: row p of dst = pixel p's window, written as segmentsPerPixel segments
  ;; (segments[…] = byte offset into src or −1, byte length): a segment copies its
  ;; bytes from src, or writes zeros where the offset is −1 (padding, paddingValue 0
  ;; of mac/adder/shift); then zeros up to rowBytes. Writes go 16 bytes a step and may
  ;; spill up to 15 bytes past a segment's end: the next segment, the tail or the next
  ;; row rewrites them (each byte's last write is its own segment's), and the caller
  ;; leaves 16 spare bytes after src and after dst.
  (func $im2col (export "im2col")
    (param $segments i32) (param $segmentsPerPixel i32) (param $pixels i32)
    (param $src i32) (param $dst i32) (param $rowBytes i32)
    (local $segmentsEnd i32) (local $pixelEnd i32) (local $d i32) (local $s i32) (local $j i32) (local $length i32) (local $rowEnd i32)
    local.get $segments
    local.get $segmentsPerPixel
    local.get $pixels
    i32.mul
    i32.const 3
    i32.shl
    i32.add
    local.set $segmentsEnd
    loop $pixel
      local.get $dst
      local.set $d
      local.get $segments
      local.get $segmentsPerPixel
      i32.const 3
      i32.shl
      i32.add
      local.set $pixelEnd
      loop $segment
        i32.const 0
        local.set $j
        block $written
          local.get $segments
          i32.load offset=4 align=1
          local.tee $length
          i32.eqz
          br_if $written
          block $padded
            local.get $segments
            i32.load align=1
            local.tee $s
            i32.const 0
            i32.lt_s
            br_if $padded
            local.get $src
            local.get $s
            i32.add
            local.set $s
            loop $copy
              local.get $d
              local.get $j
              i32.add
              local.get $s
              local.get $j
              i32.add
              v128.load align=1
              v128.store align=1
              local.get $j
              i32.const 16
              i32.add
              local.tee $j
              local.get $length
              i32.lt_u
              br_if $copy
            end
            br $written
          end
          loop $zero
            local.get $d
            local.get $j
            i32.add
            v128.const i32x4 0 0 0 0
            v128.store align=1
            local.get $j
            i32.const 16
            i32.add
            local.tee $j
            local.get $length
            i32.lt_u
            br_if $zero
          end
        end
        local.get $d
        local.get $length
        i32.add
        local.set $d
        local.get $segments
        i32.const 8
        i32.add
        local.tee $segments
        local.get $pixelEnd
        i32.lt_u
        br_if $segment
      end
      local.get $dst
      local.get $rowBytes
      i32.add
      local.set $rowEnd
      block $tailDone
        local.get $d
        local.get $rowEnd
        i32.ge_u
        br_if $tailDone
        loop $tail
          local.get $d
          v128.const i32x4 0 0 0 0
          v128.store align=1
          local.get $d
          i32.const 16
          i32.add
          local.tee $d
          local.get $rowEnd
          i32.lt_u
          br_if $tail
        end
      end
      local.get $rowEnd
      local.set $dst
      local.get $segments
      local.get $segmentsEnd
      i32.lt_u
      br_if $pixel
    end
  )

  ;; Σ x·w on i16 values (mac; shift with its coefficients): i32x4.dot_i16x8_s forms
  ;; x0·w0 + x1·w1 per i32 lane, 16 values a step.
  (func $mac16 (export "mac16")
    (param $x i32) (param $w i32) (param $pixels i32) (param $channels i32) (param $rowBytes i32) (param $out i32)
    (local $xEnd i32) (local $wRow i32) (local $wEnd i32) (local $xi i32) (local $wi i32) (local $rowEnd i32) (local $acc v128)
    local.get $x
    local.get $pixels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $xEnd
    local.get $w
    local.get $channels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $wEnd
    loop $pixel
      local.get $w
      local.set $wRow
      local.get $x
      local.get $rowBytes
      i32.add
      local.set $rowEnd
      loop $channel
        v128.const i32x4 0 0 0 0
        local.set $acc
        local.get $x
        local.set $xi
        local.get $wRow
        local.set $wi
        loop $k
          local.get $acc
          local.get $xi
          v128.load align=1
          local.get $wi
          v128.load align=1
          i32x4.dot_i16x8_s
          i32x4.add
          local.get $xi
          v128.load offset=16 align=1
          local.get $wi
          v128.load offset=16 align=1
          i32x4.dot_i16x8_s
          i32x4.add
          local.set $acc
          local.get $wi
          i32.const 32
          i32.add
          local.set $wi
          local.get $xi
          i32.const 32
          i32.add
          local.tee $xi
          local.get $rowEnd
          i32.lt_u
          br_if $k
        end
        local.get $out
        local.get $acc
        i32x4.extract_lane 0
        local.get $acc
        i32x4.extract_lane 1
        i32.add
        local.get $acc
        i32x4.extract_lane 2
        i32.add
        local.get $acc
        i32x4.extract_lane 3
        i32.add
        i32.store align=1
        local.get $out
        i32.const 4
        i32.add
        local.set $out
        local.get $wRow
        local.get $rowBytes
        i32.add
        local.tee $wRow
        local.get $wEnd
        i32.lt_u
        br_if $channel
      end
      local.get $rowEnd
      local.tee $x
      local.get $xEnd
      i32.lt_u
      br_if $pixel
    end
  )

  ;; −Σ |x − w| on i8 values (adder, ≤ 8 bits): |x − w| = max_s − min_s ∈ [0, 255], exact
  ;; as u8; pairs widen into u16 lanes, each step adding ≤ 2·255 = 510 to a lane, so a
  ;; chunk of 128 steps (2048 values) stays ≤ 65280 < 2^16 before it widens into i32.
  (func $adder8 (export "adder8")
    (param $x i32) (param $w i32) (param $pixels i32) (param $channels i32) (param $rowBytes i32) (param $out i32)
    (local $xEnd i32) (local $wRow i32) (local $wEnd i32) (local $xi i32) (local $wi i32) (local $rowEnd i32) (local $chunkEnd i32)
    (local $acc v128) (local $acc16 v128) (local $a v128) (local $b v128)
    local.get $x
    local.get $pixels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $xEnd
    local.get $w
    local.get $channels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $wEnd
    loop $pixel
      local.get $w
      local.set $wRow
      local.get $x
      local.get $rowBytes
      i32.add
      local.set $rowEnd
      loop $channel
        v128.const i32x4 0 0 0 0
        local.set $acc
        local.get $x
        local.set $xi
        local.get $wRow
        local.set $wi
        loop $chunk
          v128.const i32x4 0 0 0 0
          local.set $acc16
          local.get $xi
          i32.const 2048
          i32.add
          local.tee $chunkEnd
          local.get $rowEnd
          local.get $chunkEnd
          local.get $rowEnd
          i32.lt_u
          select
          local.set $chunkEnd
          loop $k
            local.get $xi
            v128.load align=1
            local.set $a
            local.get $wi
            v128.load align=1
            local.set $b
            local.get $acc16
            local.get $a
            local.get $b
            i8x16.max_s
            local.get $a
            local.get $b
            i8x16.min_s
            i8x16.sub
            i16x8.extadd_pairwise_i8x16_u
            i16x8.add
            local.set $acc16
            local.get $wi
            i32.const 16
            i32.add
            local.set $wi
            local.get $xi
            i32.const 16
            i32.add
            local.tee $xi
            local.get $chunkEnd
            i32.lt_u
            br_if $k
          end
          local.get $acc
          local.get $acc16
          i32x4.extadd_pairwise_i16x8_u
          i32x4.add
          local.set $acc
          local.get $xi
          local.get $rowEnd
          i32.lt_u
          br_if $chunk
        end
        local.get $out
        i32.const 0
        local.get $acc
        i32x4.extract_lane 0
        i32.sub
        local.get $acc
        i32x4.extract_lane 1
        i32.sub
        local.get $acc
        i32x4.extract_lane 2
        i32.sub
        local.get $acc
        i32x4.extract_lane 3
        i32.sub
        i32.store align=1
        local.get $out
        i32.const 4
        i32.add
        local.set $out
        local.get $wRow
        local.get $rowBytes
        i32.add
        local.tee $wRow
        local.get $wEnd
        i32.lt_u
        br_if $channel
      end
      local.get $rowEnd
      local.tee $x
      local.get $xEnd
      i32.lt_u
      br_if $pixel
    end
  )

  ;; −Σ |x − w| on i16 values (adder, 9–16 bits): |x − w| = max_s − min_s ∈ [0, 65535],
  ;; exact as u16; pairs widen into the i32 lanes.
  (func $adder16 (export "adder16")
    (param $x i32) (param $w i32) (param $pixels i32) (param $channels i32) (param $rowBytes i32) (param $out i32)
    (local $xEnd i32) (local $wRow i32) (local $wEnd i32) (local $xi i32) (local $wi i32) (local $rowEnd i32)
    (local $acc v128) (local $a v128) (local $b v128)
    local.get $x
    local.get $pixels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $xEnd
    local.get $w
    local.get $channels
    local.get $rowBytes
    i32.mul
    i32.add
    local.set $wEnd
    loop $pixel
      local.get $w
      local.set $wRow
      local.get $x
      local.get $rowBytes
      i32.add
      local.set $rowEnd
      loop $channel
        v128.const i32x4 0 0 0 0
        local.set $acc
        local.get $x
        local.set $xi
        local.get $wRow
        local.set $wi
        loop $k
          local.get $xi
          v128.load align=1
          local.set $a
          local.get $wi
          v128.load align=1
          local.set $b
          local.get $acc
          local.get $a
          local.get $b
          i16x8.max_s
          local.get $a
          local.get $b
          i16x8.min_s
          i16x8.sub
          i32x4.extadd_pairwise_i16x8_u
          i32x4.add
          local.set $acc
          local.get $wi
          i32.const 16
          i32.add
          local.set $wi
          local.get $xi
          i32.const 16
          i32.add
          local.tee $xi
          local.get $rowEnd
          i32.lt_u
          br_if $k
        end
        local.get $out
        i32.const 0
        local.get $acc
        i32x4.extract_lane 0
        i32.sub
        local.get $acc
        i32x4.extract_lane 1
        i32.sub
        local.get $acc
        i32x4.extract_lane 2
        i32.sub
        local.get $acc
        i32x4.extract_lane 3
        i32.sub
        i32.store align=1
        local.get $out
        i32.const 4
        i32.add
        local.set $out
        local.get $wRow
        local.get $rowBytes
        i32.add
        local.tee $wRow
        local.get $wEnd
        i32.lt_u
        br_if $channel
      end
      local.get $rowEnd
      local.tee $x
      local.get $xEnd
      i32.lt_u
      br_if $pixel
    end
  )
)

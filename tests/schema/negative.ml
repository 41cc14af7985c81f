(* SPDX-License-Identifier: MIT *)
(* Behaviour of a generated OCaml module (alltypes from tests/data/schema/
   ok-all-types.yaml, compiled as module S): range checks on encode, capacity
   checks, and decode refusing every malformed payload with Schema_error.
   Prints PASS/FAIL lines for tests/suites/schema-codegen.sh. *)

let failures = ref 0

let report name ok =
  Printf.printf "%s ocaml-%s\n" (if ok then "PASS" else "FAIL") name;
  if not ok then incr failures

let contains s sub =
  let n = String.length sub in
  let rec go i = i + n <= String.length s && (String.sub s i n = sub || go (i + 1)) in
  go 0

(* [raises name msg f]: f () raises Schema_error whose text contains msg *)
let raises name msg f =
  match f () with
  | _ -> report name false
  | exception S.Schema_error e ->
    let ok = contains e msg in
    if not ok then Printf.printf "    got: %s\n    want: %s\n" e msg;
    report name ok

let sc = S.Scalars.default
let ct = S.Containers.default

let off name =
  let _, o, _ = List.find (fun (n, _, _) -> n = name) S.Containers.layout in
  o

let () =
  raises "u8-high" "Scalars.a_u8: 256 is out of range for u8" (fun () ->
      S.Scalars.encode { sc with a_u8 = 256 });
  raises "i8-low" "out of range for i8" (fun () -> S.Scalars.encode { sc with a_i8 = -129 });
  raises "u16-high" "out of range for u16" (fun () -> S.Scalars.encode { sc with a_u16 = 65536 });
  raises "i16-high" "out of range for i16" (fun () -> S.Scalars.encode { sc with a_i16 = 32768 });
  raises "u32-neg" "out of range for u32" (fun () -> S.Scalars.encode { sc with a_u32 = -1 });
  raises "u32-high" "out of range for u32" (fun () ->
      S.Scalars.encode { sc with a_u32 = 0x1_0000_0000 });
  raises "i32-low" "out of range for i32" (fun () ->
      S.Scalars.encode { sc with a_i32 = -0x8000_0001 });
  raises "f32-range" "out of range for f32" (fun () -> S.Scalars.encode { sc with a_f32 = 1e39 });
  report "limits-ok"
    (let m = { sc with a_u8 = 255; a_i8 = -128; a_u32 = 0xffff_ffff; a_i32 = -0x8000_0000;
               a_u64 = -1L; a_f32 = infinity } in
     S.Scalars.decode (S.Scalars.encode m) = m);
  raises "string-capacity" "Containers.tag: string of 6 bytes exceeds the capacity of 5"
    (fun () -> S.Containers.encode { ct with tag = "abcdef" });
  raises "string-nul" "NUL" (fun () -> S.Containers.encode { ct with tag = "a\000b" });
  raises "bytes-length" "expected exactly 3 bytes, got 2" (fun () ->
      S.Containers.encode { ct with raw = "ab" });
  raises "array-capacity" "Containers.prices: 4 elements exceed the capacity of 3"
    (fun () -> S.Containers.encode { ct with prices = [| 1.; 2.; 3.; 4. |] });
  raises "array-element-range" "Containers.ids: -1 is out of range for u32" (fun () ->
      S.Containers.encode { ct with ids = [| 1; -1 |] });
  let good = S.Containers.encode { ct with tag = "ab"; prices = [| 1.0 |]; votes = [| true |] } in
  report "good-decodes" ((S.Containers.decode good).tag = "ab");
  let corrupt name member at v msg =
    let b = Bytes.copy good in
    Bytes.set_uint8 b (off member + at) v;
    raises name msg (fun () -> S.Containers.decode b)
  in
  corrupt "pad-nonzero" "_pad10" 0 1 "Containers._pad10: byte at offset 10 is not zero";
  corrupt "count-over-capacity" "prices_len" 0 4 "count 4 exceeds the capacity of 3";
  corrupt "array-tail-nonzero" "prices" 8 1 "Containers.prices: byte at offset";
  corrupt "bool-element" "votes" 0 2 "bool byte is 2";
  corrupt "string-tail" "tag" 3 120 "Containers.tag: byte at offset 3 is not zero";
  raises "short-payload" "payload is 167 bytes, expected 168" (fun () ->
      S.Containers.decode (Bytes.sub good 0 167));
  raises "decode-at-out-of-range" "need 168 bytes at offset 1" (fun () ->
      S.Containers.decode_at good 1);
  raises "encode-into-short" "need 168 bytes at offset 0" (fun () ->
      S.Containers.encode_into (Bytes.create 100) 0 ct);
  raises "of-values-unknown" "Tiny: no field nope" (fun () -> S.Tiny.of_values [ ("nope", S.Int 1) ]);
  raises "of-values-kind" "Tiny.only: wrong kind of value (Float)" (fun () ->
      S.Tiny.of_values [ ("only", S.Float 1.) ]);
  let b = S.Scalars.encode sc in
  Bytes.set_uint8 b 6 2;
  raises "bool-scalar" "Scalars.a_bool: bool byte is 2" (fun () -> S.Scalars.decode b);
  report "digest" (String.length S.schema_digest = 32 && S.schema_digest_hex = Sys.argv.(1));
  exit (if !failures = 0 then 0 else 1)

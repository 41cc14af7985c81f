(* SPDX-License-Identifier: MIT *)
(* Sample values and their printed form for the cross-language tests
   (schema-interop.sh, interop.sh), shared by interop.ml and interop_bus.ml.
   The generated module under test is compiled as module S (the suites copy
   it to s.ml).  The sample-value definition: see interop.py. *)

let seed_int64 mid j e n =
  (* little-endian bytes ((mid + 37j + 11e + 5k) % 251) + 1 *)
  let v = ref 0L in
  for k = n - 1 downto 0 do
    let byte = ((mid + (37 * j) + (11 * e) + (5 * k)) mod 251) + 1 in
    v := Int64.logor (Int64.shift_left !v 8) (Int64.of_int byte)
  done;
  !v

let kind_bytes k = if k = "bool" then 1 else int_of_string (String.sub k 1 (String.length k - 1)) / 8

let int_sample mid j e kind =
  let n = kind_bytes kind in
  let v = Int64.to_int (seed_int64 mid j e n) in
  if kind.[0] = 'i' && v >= 1 lsl ((8 * n) - 1) then v - (1 lsl (8 * n)) else v

let float_sample mid j e =
  let v = float_of_int (mid mod 1000) +. (0.5 *. float_of_int j) +. (0.25 *. float_of_int e) +. 0.125 in
  if j mod 2 = 1 then -.v else v

let sample_values (module M : S.MESSAGE) =
  let mid = M.type_id in
  List.mapi
    (fun j (name, kind, elem, cap) ->
      let count = if j mod 2 = 1 then (cap + 1) / 2 else cap in
      let v =
        match kind with
        | "string" ->
          let n = if j mod 2 = 1 then cap / 2 else cap in
          S.String (String.init n (fun i -> Char.chr (Char.code 'a' + ((mid + j + i) mod 26))))
        | "bytes" -> S.String (String.init cap (fun i -> Char.chr (((mid + (3 * j) + (7 * i)) mod 255) + 1)))
        | "array" -> (
          match elem with
          | "bool" -> S.Bools (Array.init count (fun e -> (mid + j + e) mod 2 = 1))
          | "f32" | "f64" -> S.Floats (Array.init count (fun e -> float_sample mid j e))
          | "u64" | "i64" -> S.Int64s (Array.init count (fun e -> seed_int64 mid j e 8))
          | _ -> S.Ints (Array.init count (fun e -> int_sample mid j e elem)))
        | "bool" -> S.Bool ((mid + j) mod 2 = 1)
        | "f32" | "f64" -> S.Float (float_sample mid j 0)
        | "u64" | "i64" -> S.Int64 (seed_int64 mid j 0 8)
        | _ -> S.Int (int_sample mid j 0 kind)
      in
      (name, v))
    M.fields

let hex s = String.concat "" (List.init (String.length s) (fun i -> Printf.sprintf "%02x" (Char.code s.[i])))

let fmt_float kind v =
  if kind = "f32" then Printf.sprintf "f32:%08lx" (Int32.bits_of_float v)
  else Printf.sprintf "f64:%016Lx" (Int64.bits_of_float v)

let fmt_int64 kind v = if kind = "u64" then Printf.sprintf "%Lu" v else Printf.sprintf "%Ld" v
let list f a = "[" ^ String.concat "," (Array.to_list (Array.map f a)) ^ "]"

let show name fields values =
  List.iter2
    (fun (fname, v) (_, kind, elem, _) ->
      let s =
        match v with
        | S.Int x -> string_of_int x
        | S.Int64 x -> fmt_int64 kind x
        | S.Float x -> fmt_float kind x
        | S.Bool b -> if b then "1" else "0"
        | S.String x -> (if kind = "string" then "s:" else "b:") ^ hex x
        | S.Ints a -> list string_of_int a
        | S.Int64s a -> list (fmt_int64 elem) a
        | S.Floats a -> list (fmt_float elem) a
        | S.Bools a -> list (fun b -> if b then "1" else "0") a
      in
      Printf.printf "%s.%s=%s\n" name fname s)
    values fields


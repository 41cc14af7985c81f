(* SPDX-License-Identifier: MIT *)
(* OCaml side of the cross-language schema tests (schema-interop.sh).  The
   generated module under test is compiled as module S (the suite copies it
   to s.ml).  Commands and the sample-value definition: see interop.py. *)

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

let () =
  match Array.to_list Sys.argv with
  | [ _; "layout" ] ->
    List.iter
      (fun (module M : S.MESSAGE) ->
        Printf.printf "%s size %d\n" M.name M.size;
        List.iter (fun (n, o, s) -> Printf.printf "%s.%s %d %d\n" M.name n o s) M.layout)
      S.messages
  | [ _; "sample" ] ->
    List.iter (fun (module M : S.MESSAGE) -> show M.name M.fields (M.to_values (M.of_values (sample_values (module M))))) S.messages
  | [ _; "encode"; file ] ->
    let oc = open_out_bin file in
    List.iter (fun (module M : S.MESSAGE) -> output_bytes oc (M.encode (M.of_values (sample_values (module M))))) S.messages;
    close_out oc
  | [ _; "decode"; file ] ->
    let ic = open_in_bin file in
    let data = Bytes.of_string (really_input_string ic (in_channel_length ic)) in
    close_in ic;
    let off =
      List.fold_left
        (fun off (module M : S.MESSAGE) ->
          if off + M.size > Bytes.length data then failwith "short file";
          show M.name M.fields (M.to_values (M.decode (Bytes.sub data off M.size)));
          off + M.size)
        0 S.messages
    in
    if off <> Bytes.length data then failwith "trailing bytes"
  | _ ->
    prerr_endline "usage: interop layout|sample|encode FILE|decode FILE";
    exit 2

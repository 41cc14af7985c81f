(* SPDX-License-Identifier: MIT *)
(* ---- runtime shared by every module "myc gen" writes (tools/myc/gen-ml-runtime.ml) *)

exception Schema_error of string

let fail fmt = Printf.ksprintf (fun s -> raise (Schema_error s)) fmt

(* A field value, for code that walks messages generically. *)
type value =
  | Int of int
  | Int64 of int64
  | Float of float
  | Bool of bool
  | String of string
  | Ints of int array
  | Int64s of int64 array
  | Floats of float array
  | Bools of bool array

let check_int where kind lo hi v =
  if v < lo || v > hi then
    fail "%s: %d is out of range for %s (%d..%d)" where v kind lo hi

let f32_max = Int32.float_of_bits 0x7f7fffffl

let check_zero where b o n =
  for i = o to o + n - 1 do
    if Bytes.get b i <> '\000' then
      fail "%s: byte at offset %d is not zero" where i
  done

let check_room where b o size =
  if o < 0 || Bytes.length b - o < size then
    fail "%s: need %d bytes at offset %d, the buffer has %d" where size o
      (Bytes.length b)

let get_u8 _ b o = Bytes.get_uint8 b o
let get_i8 _ b o = Bytes.get_int8 b o
let get_u16 _ b o = Bytes.get_uint16_le b o
let get_i16 _ b o = Bytes.get_int16_le b o
let get_u32 _ b o = Int32.to_int (Bytes.get_int32_le b o) land 0xffff_ffff
let get_i32 _ b o = Int32.to_int (Bytes.get_int32_le b o)
let get_u64 _ b o = Bytes.get_int64_le b o
let get_i64 _ b o = Bytes.get_int64_le b o
let get_f32 _ b o = Int32.float_of_bits (Bytes.get_int32_le b o)
let get_f64 _ b o = Int64.float_of_bits (Bytes.get_int64_le b o)

let get_bool where b o =
  match Bytes.get_uint8 b o with
  | 0 -> false
  | 1 -> true
  | v -> fail "%s: bool byte is %d, not 0 or 1" where v

let set_u8 where b o v = check_int where "u8" 0 0xff v; Bytes.set_uint8 b o v
let set_i8 where b o v = check_int where "i8" (-0x80) 0x7f v; Bytes.set_int8 b o v

let set_u16 where b o v =
  check_int where "u16" 0 0xffff v; Bytes.set_uint16_le b o v

let set_i16 where b o v =
  check_int where "i16" (-0x8000) 0x7fff v; Bytes.set_int16_le b o v

let set_u32 where b o v =
  check_int where "u32" 0 0xffff_ffff v;
  Bytes.set_int32_le b o (Int32.of_int v)

let set_i32 where b o v =
  check_int where "i32" (-0x8000_0000) 0x7fff_ffff v;
  Bytes.set_int32_le b o (Int32.of_int v)

(* u64 travels as the int64 with the same bits; every value is in range. *)
let set_u64 _ b o v = Bytes.set_int64_le b o v
let set_i64 _ b o v = Bytes.set_int64_le b o v

let set_f32 where b o v =
  if Float.is_finite v && Float.abs v > f32_max then
    fail "%s: %g is out of range for f32" where v;
  Bytes.set_int32_le b o (Int32.bits_of_float v)

let set_f64 _ b o v = Bytes.set_int64_le b o (Int64.bits_of_float v)
let set_bool _ b o v = Bytes.set_uint8 b o (if v then 1 else 0)

let set_string where b o cap s =
  let n = String.length s in
  if n > cap then
    fail "%s: string of %d bytes exceeds the capacity of %d" where n cap;
  if String.contains s '\000' then fail "%s: string contains a NUL byte" where;
  Bytes.blit_string s 0 b o n

let get_string where b o cap =
  let rec len i = if i < cap && Bytes.get b (o + i) <> '\000' then len (i + 1) else i in
  let n = len 0 in
  check_zero where b (o + n) (cap - n);
  Bytes.sub_string b o n

let set_bytes where b o cap s =
  if String.length s <> cap then
    fail "%s: expected exactly %d bytes, got %d" where cap (String.length s);
  Bytes.blit_string s 0 b o cap

let get_bytes _ b o cap = Bytes.sub_string b o cap

(* An array of at most [cap] elements of [esz] bytes at [o]; its count is
   the u16 at [len_off]. *)
let set_array where b o cap esz len_off set a =
  let n = Array.length a in
  if n > cap then fail "%s: %d elements exceed the capacity of %d" where n cap;
  Bytes.set_uint16_le b len_off n;
  Array.iteri (fun i x -> set where b (o + (i * esz)) x) a

let get_array where b o cap esz len_off get =
  let n = Bytes.get_uint16_le b len_off in
  if n > cap then fail "%s: count %d exceeds the capacity of %d" where n cap;
  check_zero where b (o + (n * esz)) ((cap - n) * esz);
  Array.init n (fun i -> get where b (o + (i * esz)))

(* Conversions used by of_values *)
let kind_error where v =
  let k =
    match v with
    | Int _ -> "Int" | Int64 _ -> "Int64" | Float _ -> "Float" | Bool _ -> "Bool"
    | String _ -> "String" | Ints _ -> "Ints" | Int64s _ -> "Int64s"
    | Floats _ -> "Floats" | Bools _ -> "Bools"
  in
  fail "%s: wrong kind of value (%s)" where k

let as_int where = function Int x -> x | v -> kind_error where v
let as_int64 where = function Int64 x -> x | v -> kind_error where v
let as_float where = function Float x -> x | v -> kind_error where v
let as_bool where = function Bool x -> x | v -> kind_error where v
let as_string where = function String x -> x | v -> kind_error where v
let as_ints where = function Ints x -> x | v -> kind_error where v
let as_int64s where = function Int64s x -> x | v -> kind_error where v
let as_floats where = function Floats x -> x | v -> kind_error where v
let as_bools where = function Bools x -> x | v -> kind_error where v

(* [field vs name conv default]: the value named [name] in [vs], if any. *)
let field msg vs name conv default =
  match List.assoc_opt name vs with
  | None -> default
  | Some v -> conv (msg ^ "." ^ name) v

let check_size msg b size =
  if Bytes.length b <> size then
    fail "%s: payload is %d bytes, expected %d" msg (Bytes.length b) size

module type MESSAGE = sig
  type t

  val name : string
  val type_id : int
  val topic : string
  val size : int

  (* (name, offset, size) of every layout member, padding included *)
  val layout : (string * int * int) list

  (* (name, kind, element kind, capacity) of every field *)
  val fields : (string * string * string * int) list
  val default : t

  (* [encode_into b o m] checks [m] and writes its [size] bytes at [o]; on
     error it raises Schema_error and the bytes at [o] are unspecified. *)
  val encode_into : Bytes.t -> int -> t -> unit
  val encode : t -> Bytes.t

  (* [decode_at b o] checks and decodes [size] bytes at [o]. *)
  val decode_at : Bytes.t -> int -> t

  (* [decode b]: [b] must be exactly [size] bytes. *)
  val decode : Bytes.t -> t
  val to_values : t -> (string * value) list

  (* Missing names keep the default; an unknown name raises Schema_error. *)
  val of_values : (string * value) list -> t
end

(* ---- end of runtime *)

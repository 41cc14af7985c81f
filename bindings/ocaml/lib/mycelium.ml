(* SPDX-License-Identifier: MIT *)
(* OCaml side of the libmyc binding; C stubs in mycelium_stubs.c. *)

exception Error of int * string

let () = Callback.register_exception "Mycelium.Error" (Error (0, ""))

module Errors = struct
  external code : string -> int = "caml_myc_error_code"

  let eagain = code "eagain"
  let etimedout = code "etimedout"
  let back_pressured = code "back_pressured"
  let digest = code "digest"
end

module Frame = struct
  type header = {
    len : int;
    type_id : int;
    flags : int;
    seq : int64;
    ts_ns : int64;
    src : int32;
  }

  let header_size = 32
  let max_size = 65536

  external c_encode : int -> int -> int64 -> int64 -> int32 -> bytes -> bytes
    = "caml_myc_frame_encode_bc" "caml_myc_frame_encode"

  external decode : bytes -> header * bytes * int = "caml_myc_frame_decode"

  let encode ~type_id ?(flags = 0) ?(seq = 0L) ?(ts_ns = 0L) ?(src = 0l)
      payload =
    c_encode type_id flags seq ts_ns src payload
end

type policy = Lossy | Lossless

module Bus = struct
  type t

  external create_ : string option -> t = "caml_myc_bus_new"
  external close : t -> unit = "caml_myc_bus_close"

  external topic_ : t -> int -> int -> int -> int -> unit
    = "caml_myc_bus_topic"

  let create ?name () = create_ name

  let topic t ~type_id ?(policy = Lossy) ?(depth = 0) ?(max_size = 0) () =
    topic_ t type_id (match policy with Lossy -> 0 | Lossless -> 1) depth
      max_size
end

module Publisher = struct
  type h
  type t = { h : h; may_block : bool }

  external create_ : Bus.t -> int -> int -> h = "caml_myc_pub_new"
  external close_ : h -> unit = "caml_myc_pub_close"
  external send_ : h -> bytes -> bool -> unit = "caml_myc_pub_send"

  let create ?(timeout_ms = 0) bus ~type_id =
    { h = create_ bus type_id timeout_ms; may_block = timeout_ms <> 0 }

  let close t = close_ t.h
  let send t data = send_ t.h data t.may_block
end

module Subscriber = struct
  type t
  type message = { header : Frame.header; payload : bytes }

  external create_ : Bus.t -> int -> t = "caml_myc_sub_new"
  external close : t -> unit = "caml_myc_sub_close"

  external recv_ : t -> int -> (Frame.header * bytes) option
    = "caml_myc_sub_recv"

  external lost : t -> int64 = "caml_myc_sub_lost"
  external fd : t -> int = "caml_myc_sub_fd"

  let create bus ~type_id = create_ bus type_id

  let recv ?(timeout_ms = -1) t =
    match recv_ t timeout_ms with
    | Some (header, payload) -> Some { header; payload }
    | None -> None

  let rec iter ?timeout_ms t f =
    match recv ?timeout_ms t with
    | Some m -> if f m then iter ?timeout_ms t f
    | None -> ()
end

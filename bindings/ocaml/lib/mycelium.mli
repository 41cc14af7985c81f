(* SPDX-License-Identifier: MIT *)
(** OCaml binding to libmyc, the Mycelium C library.

    The binding calls libmyc through small C stubs; there is no second
    implementation of any protocol here.  Blocking calls release the OCaml
    runtime lock, so other OCaml threads run while one waits.

    Errors from the library raise [Error (code, message)] where [code] is
    the library's positive error number (an errno or a [MYC_E_*] value) and
    [message] is [myc_strerror]'s text. *)

exception Error of int * string

(** Error numbers that callers commonly match on. *)
module Errors : sig
  val eagain : int
  val etimedout : int
  val back_pressured : int
  (** MYC_E_BACK_PRESSURED: a lossless subscriber is full *)

  val digest : int
  (** MYC_E_DIGEST: schema digest mismatch *)
end

(** Frame header (docs/frame-format.md). *)
module Frame : sig
  type header = {
    len : int;      (** header + payload bytes *)
    type_id : int;
    flags : int;
    seq : int64;
    ts_ns : int64;
    src : int32;
  }

  val header_size : int
  val max_size : int

  (** [encode ~type_id ?flags ?seq ?ts_ns payload] is the frame's bytes
      (padded to 8). *)
  val encode :
    type_id:int -> ?flags:int -> ?seq:int64 -> ?ts_ns:int64 -> ?src:int32 ->
    bytes -> bytes

  (** [decode buf] validates the frame at the start of [buf] and returns the
      header, the payload and the bytes consumed.  Raises [Error]. *)
  val decode : bytes -> header * bytes * int
end

type policy = Lossy | Lossless

module Bus : sig
  type t

  val create : ?name:string -> unit -> t
  val close : t -> unit

  (** Declare a topic before its first publisher or subscriber. *)
  val topic :
    t -> type_id:int -> ?policy:policy -> ?depth:int -> ?max_size:int ->
    unit -> unit
end

module Publisher : sig
  type t

  (** [timeout_ms]: how long a lossless send may block (0 = not at all). *)
  val create : ?timeout_ms:int -> Bus.t -> type_id:int -> t
  val close : t -> unit

  (** Publish one message (copied into a bus buffer).  Raises [Error] with
      [Errors.back_pressured] or [Errors.etimedout] on a full lossless
      topic. *)
  val send : t -> bytes -> unit
end

module Subscriber : sig
  type t

  type message = {
    header : Frame.header;
    payload : bytes;
  }

  val create : Bus.t -> type_id:int -> t
  val close : t -> unit

  (** [recv ?timeout_ms sub] waits up to [timeout_ms] (default: forever;
      0 = poll) and returns [None] when nothing arrived in time.  Other
      OCaml threads run while it waits. *)
  val recv : ?timeout_ms:int -> t -> message option

  (** [iter ?timeout_ms sub f] calls [f] on each message until [f] returns
      [false] or a wait times out. *)
  val iter : ?timeout_ms:int -> t -> (message -> bool) -> unit

  (** Messages lost to overflow on a lossy topic. *)
  val lost : t -> int64

  (** A file descriptor number that polls readable while messages are
      pending (for an event loop; owned by the subscriber). *)
  val fd : t -> int
end

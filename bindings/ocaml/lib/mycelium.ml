(* SPDX-License-Identifier: MIT *)
(* OCaml side of the libmyc binding; C stubs in mycelium_stubs.c. *)

exception Error of int * string

let () = Callback.register_exception "Mycelium.Error" (Error (0, ""))

module Errors = struct
  external code : string -> int = "caml_myc_error_code"

  let eagain = code "eagain"
  let etimedout = code "etimedout"
  let enoent = code "enoent"
  let back_pressured = code "back_pressured"
  let digest = code "digest"
end

external now_ns : unit -> int64 = "caml_myc_now_ns"

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

  external create_ : string option -> string option -> bool -> string option -> t
    = "caml_myc_bus_new"
  external close : t -> unit = "caml_myc_bus_close"

  external from_topology_ :
    string -> string -> string option -> string option -> bool -> t
    = "caml_myc_bus_from_topology"

  external name : t -> string = "caml_myc_bus_name"
  external service : t -> string option = "caml_myc_bus_service"

  let from_topology ?schema ?ring_domain ?(ring_force = false) path ~service =
    from_topology_ path service schema ring_domain ring_force

  external topic_ : t -> int -> int -> int -> int -> unit
    = "caml_myc_bus_topic"

  let digest_len = 32

  let create ?name ?ring_domain ?(ring_force = false) ?digest () =
    (match digest with
     | Some d when String.length d <> digest_len ->
         invalid_arg
           (Printf.sprintf
              "Mycelium.Bus.create: digest must be exactly %d bytes, got %d"
              digest_len (String.length d))
     | _ -> ());
    create_ name ring_domain ring_force digest

  external net_listen : t -> string -> unit = "caml_myc_bus_net_listen"
  external net_connect : t -> string -> unit = "caml_myc_bus_net_connect"
  external net_addr : t -> string = "caml_myc_bus_net_addr"
  external net_error : t -> (int * string) option = "caml_myc_bus_net_error"

  external net_peer_wants_ : t -> string -> int -> bool
    = "caml_myc_bus_net_peer_wants"

  let net_peer_wants t ~peer ~type_id = net_peer_wants_ t peer type_id

  let topic t ~type_id ?(policy = Lossy) ?(depth = 0) ?(max_size = 0) () =
    topic_ t type_id (match policy with Lossy -> 0 | Lossless -> 1) depth
      max_size
end

module Publisher = struct
  type h
  type t = { h : h; may_block : bool }

  external create_ : Bus.t -> int -> int -> string option -> h
    = "caml_myc_pub_new"

  external close_ : h -> unit = "caml_myc_child_close"
  external send_ : h -> bytes -> bool -> unit = "caml_myc_pub_send"
  external send_many_ : h -> bytes array -> bool -> int = "caml_myc_pub_sendv"

  let create ?(timeout_ms = 0) bus ~type_id =
    { h = create_ bus type_id timeout_ms None; may_block = timeout_ms <> 0 }

  let create_to ?(timeout_ms = 0) bus ~type_id ~service =
    { h = create_ bus type_id timeout_ms (Some service);
      may_block = timeout_ms <> 0 }

  let close t = close_ t.h
  let send t data = send_ t.h data t.may_block
  let send_many t msgs = send_many_ t.h msgs t.may_block
end

module Subscriber = struct
  type t
  type message = { header : Frame.header; payload : bytes }

  external create_ : Bus.t -> int -> string option -> t = "caml_myc_sub_new"
  external close : t -> unit = "caml_myc_child_close"

  external recv_ : t -> int -> (Frame.header * bytes) option
    = "caml_myc_sub_recv"

  external lost : t -> int64 = "caml_myc_sub_lost"
  external fd : t -> int = "caml_myc_sub_fd"

  let create ?service bus ~type_id = create_ bus type_id service

  let recv ?(timeout_ms = -1) t =
    match recv_ t timeout_ms with
    | Some (header, payload) -> Some { header; payload }
    | None -> None

  let rec iter ?timeout_ms t f =
    match recv ?timeout_ms t with
    | Some m -> if f m then iter ?timeout_ms t f
    | None -> ()

  type worker = {
    thread : Thread.t;
    stop : bool Atomic.t;
    error : exn option Atomic.t;
  }

  (* Short waits so [stop] is noticed; recv releases the runtime lock. *)
  let spawn ?(poll_ms = 50) t f =
    let stop = Atomic.make false and error = Atomic.make None in
    let rec loop () =
      if not (Atomic.get stop) then begin
        (match recv ~timeout_ms:poll_ms t with
         | Some m -> (try f m with e -> Atomic.set error (Some e))
         | None -> ());
        loop ()
      end
    in
    { thread = Thread.create loop (); stop; error }

  let stop w =
    Atomic.set w.stop true;
    Thread.join w.thread;
    Atomic.get w.error
end

module type MESSAGE = sig
  type t

  val name : string
  val type_id : int
  val topic : string
  val size : int
  val encode : t -> Bytes.t
  val decode : Bytes.t -> t
end

module Typed (M : MESSAGE) = struct
  type publisher = Publisher.t
  type subscriber = Subscriber.t

  let topic bus ?policy ?depth ?(max_size = M.size) () =
    Bus.topic bus ~type_id:M.type_id ?policy ?depth ~max_size ()

  let publisher ?timeout_ms ?to_service bus =
    match to_service with
    | None -> Publisher.create ?timeout_ms bus ~type_id:M.type_id
    | Some service ->
        Publisher.create_to ?timeout_ms bus ~type_id:M.type_id ~service

  let publish p m = Publisher.send p (M.encode m)
  let subscriber ?service bus = Subscriber.create ?service bus ~type_id:M.type_id

  let recv ?timeout_ms s =
    match Subscriber.recv ?timeout_ms s with
    | Some m -> Some (M.decode m.Subscriber.payload)
    | None -> None

  let rec iter ?timeout_ms s f =
    match recv ?timeout_ms s with
    | Some m -> if f m then iter ?timeout_ms s f
    | None -> ()

  let spawn ?poll_ms s f =
    Subscriber.spawn ?poll_ms s (fun m -> f (M.decode m.Subscriber.payload))

  let raw_publisher p = p
  let raw_subscriber s = s
end

(* SPDX-License-Identifier: MIT *)
(** OCaml binding to libmyc, the Mycelium C library.

    The binding calls libmyc through small C stubs; there is no second
    implementation of any protocol here.  Blocking calls release the OCaml
    runtime lock, so other OCaml threads run while one waits.

    Errors from the library raise [Error (code, message)] where [code] is
    the library's positive error number (an errno or a [MYC_E_*] value) and
    [message] is [myc_strerror]'s text. *)

exception Error of int * string

(** CLOCK_MONOTONIC in nanoseconds: the clock of the frame header's [ts_ns]
    in every process and language (for latency measurements). *)
val now_ns : unit -> int64

(** Error numbers that callers commonly match on. *)
module Errors : sig
  val eagain : int
  val etimedout : int

  val enoent : int
  (** e.g. {!Bus.net_peer_wants} of a peer that is not (yet) linked *)

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

  (** Bytes in a schema digest (32, SHA-256). *)
  val digest_len : int

  (** [create ?name ?ring_domain ?ring_force ?digest ()]: with [ring_domain]
      every topic is carried across processes on the shared-memory rings
      ["<ring_domain>.<type id>"] (buses of other processes, in any
      language, with the same domain see one bus); [ring_force] writes to
      the ring even when no other process reads it.  Bad ring options raise
      [Error (EINVAL, _)].  See docs/api.md, "Across processes: the ring
      bridge".

      [digest] is the schema digest of the messages the bus carries, the
      generated module's [schema_digest] (e.g. [~digest:Trading.schema_digest]).
      Rings the bus creates record it and rings it opens must have it
      (another: [Error (Errors.digest, _)] from [Subscriber.create] and
      from a lossless [Publisher.send]); net peers with another digest are
      refused (see [net_error]).  A digest of another length than
      [digest_len] raises [Invalid_argument]. *)
  val create :
    ?name:string -> ?ring_domain:string -> ?ring_force:bool -> ?digest:string ->
    unit -> t

  (** [from_topology ?schema path ~service] is the bus of the node that runs
      [service] in the topology file [path]: named after the node, every
      [[topics.NAME]] declared with its policy, ring size and max size.
      [schema] (a YAML schema path) gives topics without a [type] the id of
      the schema message with that topic, and the bus that schema's digest
      (as [create ~digest]; without [schema] the bus has none).  Raises
      [Error (code, text)] with
      the library's one-line "FILE:LINE:COL: KEY: problem" text. *)
  val from_topology :
    ?schema:string -> ?ring_domain:string -> ?ring_force:bool -> string ->
    service:string -> t

  (** Bus name (the node's name for a bus from a topology). *)
  val name : t -> string

  (** The service the bus was made for ([None] for [create]). *)
  val service : t -> string option

  val close : t -> unit

  (** Declare a topic before its first publisher or subscriber. *)
  val topic :
    t -> type_id:int -> ?policy:policy -> ?depth:int -> ?max_size:int ->
    unit -> unit

  (** The net bridge (docs/api.md, "Across hosts: the net bridge"): carry
      every topic to the peers that dial [addr] — ["tcp:HOST:PORT"]
      (numeric host; port 0 = any, see [net_addr]), ["unix:/path"] or
      ["unix:@name"].  The bus name is the node name peers see
      ([A-Za-z0-9._-], at most 63 bytes, distinct per peer).  Raises
      [Error] (EINVAL: bad address or bus name; EADDRINUSE...). *)
  val net_listen : t -> string -> unit

  (** Dial a peer's listener; redialled with back-off until the bus is
      closed (does not wait for the link). *)
  val net_connect : t -> string -> unit

  (** The address the last [net_listen] bound (["tcp:127.0.0.1:41234"]);
      [Error] ENOENT when none. *)
  val net_addr : t -> string

  (** [true] once the link to node [peer] is up and it subscribed
      [type_id]; [Error] ENOENT for no such peer (yet). *)
  val net_peer_wants : t -> peer:string -> type_id:int -> bool

  (** The last refused handshake of the net bridge: [None], or
      [Some (code, text)] — [code = Errors.digest] for a peer with another
      schema digest, the text naming both nodes and (abbreviated) digests:
      ["we refused peer 'b': schema digest mismatch: ..."] on the side that
      refused, ["rejected by peer: schema digest mismatch: ..."] on the
      other.  [Error] ENOENT when the bus never listened nor dialled. *)
  val net_error : t -> (int * string) option
end

module Publisher : sig
  type t

  (** [timeout_ms]: how long a lossless send may block (0 = not at all). *)
  val create : ?timeout_ms:int -> Bus.t -> type_id:int -> t

  (** A directed publisher: its messages reach only subscribers tagged with
      [service].  Raises [Error] (ENOENT) when [service] is not a service
      of the bus's topology. *)
  val create_to :
    ?timeout_ms:int -> Bus.t -> type_id:int -> service:string -> t

  val close : t -> unit

  (** Publish one message (copied into a bus buffer).  Raises [Error] with
      [Errors.back_pressured] or [Errors.etimedout] on a full lossless
      topic. *)
  val send : t -> bytes -> unit

  (** Publish the messages of an array in order as one burst (libmyc's
      [myc_pub_sendv]).  Returns how many were published, from the first:
      all, or fewer when a lossless topic filled up after the first.
      Before the first it waits and raises as [send] does.  Every message
      is checked before any is sent: one above the topic's [max_size]
      raises [Error] (EMSGSIZE) and sends none. *)
  val send_many : t -> bytes array -> int
end

module Subscriber : sig
  type t

  type message = {
    header : Frame.header;
    payload : bytes;
  }

  (** [service] tags the subscriber for directed publishers (default: the
      bus's service when it came from a topology, else none). *)
  val create : ?service:string -> Bus.t -> type_id:int -> t

  (** Raises [Error] (EBUSY) while a thread waits in [recv] on it: [stop]
      its worker first. *)
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

  (** A callback subscriber: a [Thread.t] calling [f] on every message. *)
  type worker

  (** [spawn ?poll_ms sub f] starts a thread that receives from [sub] and
      calls [f]; it checks for [stop] every [poll_ms] (default 50) while
      idle.  An exception from [f] is kept and delivery goes on. *)
  val spawn : ?poll_ms:int -> t -> (message -> unit) -> worker

  (** Stop the thread and wait for it; the last exception [f] raised. *)
  val stop : worker -> exn option
end

(** What the binding needs of a message module generated by [myc gen
    --ocaml] (each generated module, e.g. [Trading.Quote], has it). *)
module type MESSAGE = sig
  type t

  val name : string
  val type_id : int
  val topic : string
  val size : int
  val encode : t -> Bytes.t
  val decode : Bytes.t -> t
end

(** Typed publishers and subscribers over one generated message module:
    [module Q = Mycelium.Typed (Trading.Quote)].  Encoding and decoding
    errors are the generated module's [Schema_error]. *)
module Typed (M : MESSAGE) : sig
  type publisher
  type subscriber

  (** Declare the topic; [max_size] defaults to [M.size]. *)
  val topic :
    Bus.t -> ?policy:policy -> ?depth:int -> ?max_size:int -> unit -> unit

  (** [to_service]: a directed publisher (see [Publisher.create_to]). *)
  val publisher : ?timeout_ms:int -> ?to_service:string -> Bus.t -> publisher

  (** Encode (checking every field) and publish. *)
  val publish : publisher -> M.t -> unit

  val subscriber : ?service:string -> Bus.t -> subscriber

  (** Receive and decode; [None] on timeout.  A malformed payload raises
      the generated module's [Schema_error]. *)
  val recv : ?timeout_ms:int -> subscriber -> M.t option

  val iter : ?timeout_ms:int -> subscriber -> (M.t -> bool) -> unit

  (** A callback thread; a decoding error is kept like an exception of
      [f] (see [Subscriber.stop]). *)
  val spawn : ?poll_ms:int -> subscriber -> (M.t -> unit) -> Subscriber.worker

  val raw_publisher : publisher -> Publisher.t
  val raw_subscriber : subscriber -> Subscriber.t
end
